import { artifactKey, QUARANTINE_PREFIX } from '../../../shared/artifact/paths.js';
import { readManifest, readPointer } from '../../../shared/artifact/verify.js';
import { fromUtf8 } from '../../../shared/crypto/encoding.js';
import { Manifest, Policy } from '../../../shared/schemas/artifact.js';
import type { ObjectStore } from '../../../shared/store/object-store.js';
import type { RunRecord } from '../../run/run-record.js';
import { onlineMetrics, type OnlineRow } from './online-metrics.js';

/** Everything the operator dashboard shows (also served as JSON at `/dashboard/data`). */
export interface DashboardData {
  generated_at: number;
  serving: { version: string; reason: string; updated_at: number; age_s: number; previous: string | null } | null;
  /** Every version still in the store, oldest first. */
  versions: VersionRow[];
  /** The newest runs, oldest first. */
  runs: RunRow[];
  online: OnlineRow[];
  /** The serving version's surfaces: strategy, epsilon, k and its exploration pool. */
  surfaces: SurfaceRow[];
  pool: string[];
  quarantine: Array<{ key: string; bytes: number; reason: string; at: string | null }>;
}

export interface VersionRow {
  version: string;
  created_at: number;
  parent_version: string | null;
  serving: boolean;
  /** Out as a canary beside the serving version (CURRENT names it). */
  canary: boolean;
  /** Published after the version that serves now, while a rollback put that one back. */
  rolled_back: boolean;
  items: number;
  offline: { k: number; recall: number; ndcg: number; coverage: number; diversity: number; novelty: number; popularity_recall: number | null } | null;
}

export interface RunRow {
  run_id: string;
  started_at: number;
  finished_at: number;
  status: RunRecord['status'];
  version: string | null;
  decision: string | null;
  error: string | null;
  steps: Array<{ name: string; ms: number }>;
  quarantined: number;
  /** The deploy gate: Δ̂ = V̂(candidate) − V̂(serving) with its 95% interval, when it evaluated. */
  gate: { evaluated: boolean; publish: boolean; forced: boolean; estimate: number | null; lo: number | null; hi: number | null; tolerance: number | null; n: number | null } | null;
}

export interface SurfaceRow {
  surface: string;
  strategy: string;
  epsilon: number | null;
  k_default: number;
  k_max: number;
}

/**
 * Reads the dashboard's data from the store: the pointer, every version's manifest (history,
 * offline metrics), the newest run records (steps, gate verdicts), the serving policy (surfaces,
 * epsilon, exploration pool), quarantined objects, and online CTR from the lake (DuckDB).
 * @param workDir the batch work dir; the lake mirror goes under `<workDir>/dashboard`
 * @param maxRuns how many of the newest run records to show
 */
export async function dashboardData(store: ObjectStore, workDir: string, now: number, maxRuns = 50): Promise<DashboardData> {
  const pointer = (await readPointer(store))?.pointer ?? null;
  const versions = await readVersions(store);
  const servingRow = versions.find((v) => v.version === pointer?.version);
  const rolledBack = pointer !== null && /^rollback/.test(pointer.reason) && servingRow !== undefined;
  const runs = await readRuns(store, maxRuns);
  const published = new Set(runs.filter((r) => r.status === 'published' && r.version).map((r) => r.version!));
  const versionRows: VersionRow[] = versions.map((m) => ({
    version: m.version,
    created_at: m.created_at,
    parent_version: m.parent_version,
    serving: m.version === pointer?.version,
    canary: m.version === pointer?.canary?.version,
    rolled_back: rolledBack && m.created_at > servingRow!.created_at && (published.has(m.version) || m.version === pointer?.previous),
    items: m.item_count,
    offline: offline(m.metrics),
  }));
  let surfaces: SurfaceRow[] = [];
  let pool: string[] = [];
  if (pointer) {
    const manifest = await readManifest(store, pointer.version, pointer.manifest_sha256);
    const o = await store.get(artifactKey(manifest.version, 'policy.json'));
    const policy = o ? Policy.safeParse(JSON.parse(fromUtf8(o.body))) : null;
    if (policy?.success) {
      surfaces = Object.entries(policy.data.surfaces).map(([surface, s]) => ({
        surface,
        strategy: s.strategy.name,
        epsilon: 'epsilon' in s.strategy && typeof s.strategy.epsilon === 'number' ? s.strategy.epsilon : null,
        k_default: s.k_default,
        k_max: s.k_max,
      }));
      pool = policy.data.exploration_pool;
    }
  }
  return {
    generated_at: now,
    serving: pointer ? { version: pointer.version, reason: pointer.reason, updated_at: pointer.updated_at, age_s: Math.round((now - pointer.updated_at) / 1000), previous: pointer.previous } : null,
    versions: versionRows,
    runs,
    online: await onlineMetrics(store, `${workDir}/dashboard`),
    surfaces,
    pool,
    quarantine: await readQuarantine(store),
  };
}

async function readVersions(store: ObjectStore): Promise<Manifest[]> {
  const keys = (await store.list('artifacts/')).map((o) => o.key).filter((k) => /^artifacts\/[^/]+\/manifest\.json$/.test(k));
  const out: Manifest[] = [];
  for (const key of keys) {
    const o = await store.get(key);
    const m = o ? Manifest.safeParse(JSON.parse(fromUtf8(o.body))) : null;
    if (m?.success) out.push(m.data);
  }
  return out.sort((a, b) => a.created_at - b.created_at);
}

async function readRuns(store: ObjectStore, max: number): Promise<RunRow[]> {
  const keys = (await store.list('state/runs/')).map((o) => o.key).filter((k) => k.endsWith('.json')).sort().slice(-max);
  const runs: RunRow[] = [];
  for (const key of keys) {
    const o = await store.get(key);
    if (!o) continue;
    const r = JSON.parse(fromUtf8(o.body)) as RunRecord;
    const g = r.gate as { evaluated?: boolean; publish?: boolean; forced?: boolean; tolerance?: number; n?: number; difference?: { estimate: number; ci: [number, number] } | null } | null;
    runs.push({
      run_id: r.run_id,
      started_at: r.started_at,
      finished_at: r.finished_at,
      status: r.status,
      version: r.version,
      decision: r.decision,
      error: r.error,
      steps: r.steps,
      quarantined: r.quarantined.length,
      gate: g ? { evaluated: g.evaluated ?? false, publish: g.publish ?? false, forced: g.forced ?? false, estimate: g.difference?.estimate ?? null, lo: g.difference?.ci[0] ?? null, hi: g.difference?.ci[1] ?? null, tolerance: g.tolerance ?? null, n: g.n ?? null } : null,
    });
  }
  return runs.sort((a, b) => a.started_at - b.started_at);
}

async function readQuarantine(store: ObjectStore): Promise<DashboardData['quarantine']> {
  const listed = await store.list(QUARANTINE_PREFIX);
  const out: DashboardData['quarantine'] = [];
  for (const o of listed.filter((x) => !x.key.endsWith('.reason.json'))) {
    const why = await store.get(`${o.key}.reason.json`);
    let reason = 'unknown';
    let at: string | null = null;
    if (why) {
      try {
        const j = JSON.parse(fromUtf8(why.body)) as { reason?: string; quarantined_at?: string };
        reason = j.reason ?? reason;
        at = j.quarantined_at ?? null;
      } catch {
        reason = 'unreadable .reason.json';
      }
    }
    out.push({ key: o.key, bytes: o.size, reason, at });
  }
  return out;
}

function offline(metrics: Record<string, unknown>): VersionRow['offline'] {
  const m = metrics as { k?: number; model?: Record<string, number>; popularity?: Record<string, number> };
  if (!m.model || typeof m.k !== 'number') return null;
  const k = m.k;
  return {
    k,
    recall: m.model[`recall_at_${k}`] ?? NaN,
    ndcg: m.model[`ndcg_at_${k}`] ?? NaN,
    coverage: m.model['coverage'] ?? NaN,
    diversity: m.model['diversity'] ?? NaN,
    novelty: m.model['novelty'] ?? NaN,
    popularity_recall: m.popularity?.[`recall_at_${k}`] ?? null,
  };
}
