import { WATERMARK_KEY } from '../../shared/artifact/paths.js';
import { pointerProblem, resolveServing } from '../../shared/artifact/resolve.js';
import { fromUtf8 } from '../../shared/crypto/encoding.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { readWatermark } from '../ingest/watermark.js';
import type { RunRecord } from './run-record.js';

/** What `slatecast status` shows. */
export interface BatchStatus {
  serving: {
    version: string;
    published_at: number;
    age_s: number;
    previous: string | null;
    reason: string;
    files: number;
    bytes: number;
    items: number;
    dims: number;
    shards: number;
    counts: Record<string, number>;
    metrics: Record<string, unknown>;
    backend: unknown;
  } | null;
  /** What `artifacts/CURRENT` names (null: nothing, or not a valid pointer). */
  pointer_version: string | null;
  /** The canary CURRENT names beside its version (null: none); the next batch run settles it. */
  canary: { version: string; share: number; started_at: number } | null;
  /** Why CURRENT's version is not what serves (bad pointer, failed verification), or null. */
  problem: string | null;
  /** Versions CURRENT vouches for that fail verification, newest first. */
  refused: Array<{ version: string; reason: string }>;
  watermark: { impressions_after: string; events_after: string; updated_at: number } | null;
  last_run: RunRecord | null;
}

/**
 * Reads the pointer, the version that serves (walking CURRENT's history past versions that fail
 * verification, as the edge does, and reporting them rather than failing), the watermark and the
 * newest run record.
 */
export async function batchStatus(store: ObjectStore, now: number): Promise<BatchStatus> {
  const r = await resolveServing(store);
  const p = r.pointer.kind === 'ok' ? r.pointer.pointer : null;
  let serving: BatchStatus['serving'] = null;
  if (p && r.serving) {
    const m = r.serving.manifest;
    const head = m.version === p.version;
    serving = {
      version: m.version,
      published_at: head ? p.updated_at : m.created_at,
      age_s: Math.round((now - (head ? p.updated_at : m.created_at)) / 1000),
      previous: head ? p.previous : null,
      reason: head ? p.reason : `fallback: CURRENT names ${p.version}`,
      files: Object.keys(m.files).length + 1,
      bytes: Object.values(m.files).reduce((a, f) => a + f.bytes, 0),
      items: m.item_count,
      dims: m.dims,
      shards: m.shards,
      counts: m.counts,
      metrics: m.metrics,
      backend: m.training.backend ?? null,
    };
  }
  const wm = (await readWatermark(store)).watermark;
  const runs = await store.list('state/runs/');
  const newest = runs.filter((r) => r.key !== WATERMARK_KEY).at(-1);
  const o = newest ? await store.get(newest.key) : null;
  return {
    serving,
    pointer_version: p?.version ?? null,
    canary: p?.canary ? { version: p.canary.version, share: p.canary.share, started_at: p.canary.started_at } : null,
    problem: pointerProblem(r),
    refused: r.refused,
    watermark: wm ? { impressions_after: wm.impressions_after, events_after: wm.events_after, updated_at: wm.updated_at } : null,
    last_run: o ? (JSON.parse(fromUtf8(o.body)) as RunRecord) : null,
  };
}

/** Human-readable status lines. */
export function formatStatus(s: BatchStatus): string {
  const out: string[] = [];
  if (s.problem) out.push(`problem: ${s.problem}`);
  if (!s.serving) out.push(s.problem ? 'serving: nothing (no version CURRENT vouches for verifies)' : 'serving: nothing published yet');
  else {
    const v = s.serving;
    out.push(`serving: ${v.version} (${v.reason}, ${formatAge(v.age_s)} ago; previous ${v.previous ?? 'none'})`);
    out.push(`  ${v.items} items × ${v.dims} dims, ${v.shards} shards, ${v.files} files, ${(v.bytes / 1024).toFixed(0)} KiB, trained on ${String(v.backend)}`);
    out.push(`  counts: ${Object.entries(v.counts).map(([k, n]) => `${k}=${n}`).join(' ')}`);
    const m = v.metrics as { k?: number; model?: Record<string, number>; popularity?: Record<string, number>; recall_ratio?: number };
    if (m.model && m.popularity) {
      const r = `recall_at_${m.k}`;
      out.push(`  holdout: recall@${m.k} ${m.model[r]} vs popularity ${m.popularity[r]} (×${m.recall_ratio}), ndcg@${m.k} ${m.model[`ndcg_at_${m.k}`]}, coverage ${m.model.coverage}`);
    }
  }
  if (s.canary) out.push(`canary: ${s.canary.version} serves ${Math.round(s.canary.share * 100)}% of users since ${new Date(s.canary.started_at).toISOString()}; the next batch run promotes it or rolls it back`);
  out.push(s.watermark ? `watermark: impressions after ${s.watermark.impressions_after || '(start)'}, events after ${s.watermark.events_after || '(start)'}` : 'watermark: none (no run consumed logs yet)');
  const r = s.last_run;
  out.push(r ? `last run: ${r.run_id} ${r.status}${r.error ? ` (${r.error})` : ''}: ${r.decision ?? ''}; quarantined ${r.quarantined.length}` : 'last run: none');
  return out.join('\n');
}

function formatAge(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
