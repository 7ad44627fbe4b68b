import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CATALOG_KEY } from '../shared/artifact/paths.js';
import { readManifest } from '../shared/artifact/verify.js';
import type { ObjectStore } from '../shared/store/object-store.js';
import { catalogNdjson } from '../gpu-batch/catalog/parse-catalog.js';
import { S3Store } from '../gpu-batch/store/s3-store.js';
import type { Progress } from '../gpu-batch/util/progress.js';
import { baselineValues } from './baselines.js';
import { batchRound, type BatchRound } from './batch-round.js';
import type { PlantKind } from './plant.js';
import { POLICIES, type GateRow, type PolicyKey, type RoundRow } from './round-row.js';
import { logTally, SIM_SECRETS, startEdge, startS3Server, waitForLogs, waitForPointer, type LocalEdge } from './sim/stack.js';
import { positionValues } from './sim/click-model.js';
import { runTraffic, type RecentClicks } from './sim/traffic.js';
import { roundVisits, type Visit } from './sim/visits.js';
import { World, type WorldParams } from './sim/world.js';
import { versionParts, versionValue, VersionTarget, type UserKeys } from './version-value.js';

export interface WorldRunOptions {
  family: string;
  params: WorldParams;
  rounds: number;
  gate: boolean;
  /** Extra `slatecast batch run` flags. */
  batchFlags: readonly string[];
  /** Rounds in which a worse copy of the candidate is offered to the gate. */
  plantRounds: ReadonlySet<number>;
  /** Which worse copy (plant.ts); default worst-first. */
  plantKind?: PlantKind;
  /** Scratch for the batch tier (lake, reports); removed at the end unless `keep`. */
  workDir: string;
  /**
   * Keep `workDir` with the bucket in it (`s3/`: every published version, the logs), the batch
   * tier's lake (`batch/`) and the files of rejected and planted candidates (`candidates/`), for
   * replaying the gate offline (`npm run bench:gate`).
   */
  keep?: boolean;
  concurrency: number;
  /** The site sends each user's this many most recent clicks with every slate request (0: none). */
  recentItems?: number;
  /** Traffic bars and warnings; the batch tier reports its warnings only (the round line has its verdict). */
  progress: Progress;
  /** Print the batch tier's info lines too (otherwise only its warnings). */
  batchLog?: boolean;
  /** Called with each finished round (the CLI prints it). */
  onRound?: (row: RoundRow) => void;
}

export interface WorldRun {
  family: string;
  seed: string;
  params: WorldParams;
  gate: boolean;
  batch_flags: string[];
  rounds: RoundRow[];
  /** Per very good new item: rounds from arrival until first shown in an exploited slot (null: never). */
  good_item_discovery: Array<{ item: string; born_round: number; exploited_after_rounds: number | null }>;
}

/**
 * One seed of one world through the whole deployment: embedded S3, the worker in workerd, traffic
 * over HTTP, `slatecast batch run` between rounds; baselines and the truth about every version on
 * the same visits.
 */
export async function runWorld(o: WorldRunOptions): Promise<WorldRun> {
  const s3 = await startS3Server(undefined, o.keep ? { directory: join(o.workDir, 's3') } : {});
  const world = new World(o.params, Date.now());
  const store = S3Store.fromConfig({ endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  const label = `${o.family}/${o.params.seed}`;
  let edge: LocalEdge | null = null;
  const rows: RoundRow[] = [];
  const goodBorn = new Map<string, number>();
  const goodExploited = new Map<string, number>();
  const clicksSoFar = new Map<string, number>();
  const firstRound = new Map<string, number>();
  const keys: UserKeys = new Map();
  const logged = logTally();
  const served = { impressions: [] as string[], events: [] as string[] };
  const recentClicks: RecentClicks = { items: o.recentItems ?? 0, byUser: new Map() };
  try {
    for (let round = 0; round <= o.rounds; round++) {
      const { newItems } = world.advance(round, Date.now());
      for (const it of newItems) if (it.good) goodBorn.set(it.id, round);
      await store.put(CATALOG_KEY, catalogNdjson(world.items.map((i) => i.catalog)), { contentType: 'application/x-ndjson' });

      const tb = performance.now();
      const batch = await batchRound({ s3, store, workDir: join(o.workDir, 'batch'), seed: o.params.seed, gate: o.gate, flags: o.batchFlags, plant: o.plantRounds.has(round), ...(o.plantKind ? { plantKind: o.plantKind } : {}), progress: { info: o.batchLog ? (m) => o.progress.info(`[${label}] ${m}`) : () => {}, warn: (m) => o.progress.warn(m), bar() {} } });
      const batchSeconds = (performance.now() - tb) / 1000;
      if (o.keep) await keepUnpublished(o.workDir, batch);
      edge ??= await startEdge({ s3, ...SIM_SECRETS, vars: { ARTIFACT_TTL_S: '0.5' }, quiet: true });
      const { version: serving, canary } = await waitForPointer(edge.url, store);

      const visits = roundVisits(world, round, firstRound);
      const tt = performance.now();
      const t = await runTraffic(world, round, visits, edge.url.toString().replace(/\/$/, ''), { concurrency: o.concurrency, recent: recentClicks, onProgress: (d, n) => o.progress.bar(`[${label}] round ${round} visits`, d, n) });
      const trafficSeconds = (performance.now() - tt) / 1000;
      served.impressions.push(...t.impressionIds);
      served.events.push(...t.eventIds);
      const tl = performance.now();
      await waitForLogs(store, logged, served);
      const logsSeconds = (performance.now() - tl) / 1000;

      const sv = t.served;
      const vs = sv.map((s) => s.visit);
      const t0 = performance.now();
      const base = baselineValues(world, round, vs, clicksSoFar);
      const baselineSeconds = (performance.now() - t0) / 1000;
      const values: Record<PolicyKey, Float64Array> = {
        slatecast: Float64Array.from(sv, (s) => s.expected),
        slatecast_realised: Float64Array.from(sv, (s) => s.clicked.filter(Boolean).length),
        random: base.random,
        popularity: base.popularity,
        best_global: base.bestGlobal,
        oracle: base.oracle,
      };
      for (const s of sv) for (const [p, it] of s.items.entries()) if (s.clicked[p]) clicksSoFar.set(it.id, (clicksSoFar.get(it.id) ?? 0) + 1);

      let slots = 0;
      const side = { explored: { n: 0, v: 0 }, exploited: { n: 0, v: 0 } };
      for (const s of sv) {
        const pv = positionValues(world.clickModel, s.items.map((x) => world.attraction(s.visit.user, x)));
        for (const [p, it] of s.items.entries()) {
          slots++;
          const b = s.explored[p] ? side.explored : side.exploited;
          b.n++;
          b.v += pv[p]!;
          if (!s.explored[p] && goodBorn.has(it.id) && !goodExploited.has(it.id)) goodExploited.set(it.id, round);
        }
      }
      const closed = [...goodBorn].filter(([, born]) => born <= round - 2);

      const t1 = performance.now();
      const truth = await gateTruth(world, round, vs, sv.map((s) => s.recent), batch, store, serving, canary, keys);
      const truthSeconds = (performance.now() - t1) / 1000;
      const row: RoundRow = {
        round,
        version: serving,
        canary_version: canary,
        canary: canaryRow(batch.record.canary),
        batch_status: batch.record.status,
        batch_seconds: batchSeconds,
        traffic_seconds: trafficSeconds,
        other_seconds: { logs: logsSeconds, baselines: baselineSeconds, truth: truthSeconds },
        visits: sv.length,
        cold_visits: vs.filter((v) => v.cold).length,
        value: mapPolicies((k) => mean(values[k])),
        vs_oracle: mapPolicies((k) => ratio(values[k], values.oracle)),
        cold_vs_oracle: vs.some((v) => v.cold) ? mapPolicies((k) => ratio(values[k], values.oracle, vs.map((v) => v.cold))) : null,
        explored_share: side.explored.n / Math.max(1, slots),
        explored_slot_value: side.explored.n ? side.explored.v / side.explored.n : null,
        exploited_slot_value: side.exploited.n ? side.exploited.v / side.exploited.n : null,
        good_items: goodBorn.size,
        good_exploited: goodExploited.size,
        good_within_2: closed.length ? closed.filter(([id, born]) => goodExploited.has(id) && goodExploited.get(id)! - born <= 2).length / closed.length : null,
        gate: truth.gate,
        planted: truth.planted,
        serving_parts: truth.parts ? { ranking: ratio(truth.parts.ranking, values.oracle), strangers_list: ratio(truth.parts.strangers, values.oracle) } : null,
        serving_view_check: truth.servingCheck === null ? null : truth.servingCheck / Math.max(1e-12, mean(values.slatecast)),
        sources: t.sources,
        errors: t.errors.length,
        first_error: t.errors[0] ?? null,
      };
      rows.push(row);
      o.onRound?.(row);
    }
  } finally {
    await edge?.stop();
    await s3.stop();
    store.close();
    if (!o.keep) await rm(o.workDir, { recursive: true, force: true });
  }
  return {
    family: o.family,
    seed: o.params.seed,
    params: o.params,
    gate: o.gate,
    batch_flags: [...o.batchFlags],
    rounds: rows,
    good_item_discovery: [...goodBorn].map(([item, born]) => ({ item, born_round: born, exploited_after_rounds: goodExploited.has(item) ? goodExploited.get(item)! - born : null })),
  };
}

/**
 * With `--keep`: the files of this round's candidates the store will not hold — a rejected
 * candidate, a planted one — under `candidates/<version>/`, so the gate can be replayed on them.
 */
async function keepUnpublished(workDir: string, batch: BatchRound): Promise<void> {
  const unpublished = [...(batch.candidate && !inStore(batch.record) ? [batch.candidate] : []), ...(batch.planted ? [batch.planted] : [])];
  for (const c of unpublished) {
    for (const [name, bytes] of Object.entries(c.files)) {
      const path = join(workDir, 'candidates', c.version, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes);
    }
  }
}

/**
 * The true values behind this round's gate decision, on this round's visits: the version serving
 * before the run and the run's candidate (published: read from the store; rejected: the files the
 * gate saw), and the planted candidate if one was offered. Also the serving version's value by the
 * serving view, to check the view against what the edge served, and its parts (`versionParts`).
 */
async function gateTruth(world: World, round: number, visits: readonly Visit[], recent: readonly string[][], batch: BatchRound, store: ObjectStore, serving: string, canary: string | null, keys: UserKeys): Promise<{ gate: GateRow; planted: GateRow | null; servingCheck: number | null; parts: { ranking: Float64Array; strangers: Float64Array } | null }> {
  const rec = batch.record;
  const targets = new Map<string, Promise<VersionTarget | null>>();
  const published = async (v: string) => VersionTarget.fromStore(store, await readManifest(store, v, null));
  const target = (v: string | null, files?: Record<string, Uint8Array> | Readonly<Record<string, Uint8Array>>): Promise<VersionTarget | null> => {
    if (!v) return Promise.resolve(null);
    let t = targets.get(v);
    if (!t) targets.set(v, (t = files ? Promise.resolve(VersionTarget.fromFiles(v, files)) : published(v)));
    return t;
  };
  const on = { world, round, visits, salt: SIM_SECRETS.userSalt, keys, recent };
  const value = async (t: VersionTarget | null) => (t ? mean(await versionValue(on, t)) : null);
  // With a canary live the edge served two versions: the view of one is not what was served.
  const servingTarget = await target(serving);
  const servingValue = await value(servingTarget);
  const servingCheck = canary === null ? servingValue : null;
  const parts = canary === null && servingTarget ? await versionParts(on, servingTarget) : null;

  const candidateVersion = inStore(rec) ? rec.version : (batch.candidate?.version ?? null);
  const candidateTarget = inStore(rec) ? await target(rec.version) : batch.candidate ? await target(batch.candidate.version, batch.candidate.files) : null;
  const trueCandidate = candidateVersion === serving ? servingValue : await value(candidateTarget);
  const trueBefore = rec.serving_before === serving ? servingValue : await value(await target(rec.serving_before));
  const gateRow = { ...gateRowOf(rec.gate, candidateVersion, rec.serving_before, trueCandidate, trueBefore), canary: rec.status === 'canary' };
  let planted: GateRow | null = null;
  if (batch.planted) {
    const p = batch.planted;
    const v = await value(VersionTarget.fromFiles(p.version, p.files));
    planted = gateRowOf(p.verdict as unknown as Record<string, unknown> | null, p.version, rec.serving_before, v, trueBefore);
  }
  return { gate: gateRow, planted, servingCheck, parts };
}

type Est = { estimate: number; ci: [number, number]; ess: number };

/** Whether the run's version is in the store: published, or out as a canary. */
function inStore(rec: BatchRound['record']): rec is BatchRound['record'] & { version: string } {
  return (rec.status === 'published' || rec.status === 'canary') && rec.version !== null;
}

/** What the run decided of the canary that served the round before, if one did. */
function canaryRow(c: Record<string, unknown> | null): RoundRow['canary'] {
  return c ? { version: String(c.version), outcome: String(c.outcome), reason: String(c.reason) } : null;
}

function gateRowOf(g: Record<string, unknown> | null, candidate: string | null, before: string | null, trueCandidate: number | null, trueBefore: number | null): GateRow {
  const d = (g?.difference ?? null) as Est | null;
  return {
    ran: g !== null,
    evaluated: g?.evaluated === true,
    publish: g ? g.publish === true : null,
    outcome: typeof g?.outcome === 'string' ? g.outcome : null,
    reason: typeof g?.reason === 'string' ? g.reason : null,
    delta_hat: d?.estimate ?? null,
    ci: d?.ci ?? null,
    ess: d?.ess ?? null,
    n: typeof g?.n === 'number' ? g.n : null,
    candidate,
    serving_before: before,
    true_candidate: trueCandidate,
    true_serving_before: trueBefore,
    true_delta_rel: trueCandidate !== null && trueBefore !== null && trueBefore > 0 ? (trueCandidate - trueBefore) / trueBefore : null,
    canary: false,
  };
}

function mapPolicies(f: (k: PolicyKey) => number): Record<PolicyKey, number> {
  return Object.fromEntries(POLICIES.map((k) => [k, f(k)])) as Record<PolicyKey, number>;
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return x.length ? s / x.length : 0;
}

/** Σ x / Σ y over the visits (all, or where `mask` is true). */
function ratio(x: ArrayLike<number>, y: ArrayLike<number>, mask?: readonly boolean[]): number {
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    if (mask && !mask[i]) continue;
    sx += x[i]!;
    sy += y[i]!;
  }
  return sy > 0 ? sx / sy : 0;
}
