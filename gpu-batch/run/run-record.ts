import type { Quarantined } from '../ingest/quarantine.js';

/** Order in which a run passes its steps; a crash after any of them must be recoverable. */
export const STEPS = ['list', 'download', 'ingest', 'canary', 'train', 'policy', 'gate', 'publish', 'watermark'] as const;

export type StepName = (typeof STEPS)[number];

/** `state/runs/<run-id>.json`: what one run did, success or not. */
export interface RunRecord {
  schema: 'batch-run/v1';
  run_id: string;
  started_at: number;
  finished_at: number;
  /**
   * published: a new version serves; canary: it serves a share of users beside the serving one;
   * unchanged: nothing to learn; rejected: the gate said no; failed.
   */
  status: 'published' | 'canary' | 'unchanged' | 'rejected' | 'failed';
  error: string | null;
  /** The decision and why. */
  decision: string | null;
  version: string | null;
  serving_before: string | null;
  steps: Array<{ name: StepName; ms: number }>;
  objects: { impressions: number; events: number; waiting: number };
  records: { impressions: { read: number; added: number }; events: { read: number; added: number } };
  quarantined: Quarantined[];
  counts: Record<string, number>;
  metrics: Record<string, unknown>;
  training: Record<string, unknown>;
  policy: Record<string, unknown>;
  watermark: { impressions_after: string; events_after: string } | null;
  /** The deploy gate's verdict (also `manifest.gate` when published), null when no gate ran. */
  gate: Record<string, unknown> | null;
  /** What this run decided of the canary CURRENT named (promote, rollback, wait), null when none ran. */
  canary: Record<string, unknown> | null;
  garbage_collected: string[];
}

/** The record of a run that has just started: `failed` until a step says otherwise. */
export function emptyRecord(runId: string, started: number): RunRecord {
  return {
    schema: 'batch-run/v1',
    run_id: runId,
    started_at: started,
    finished_at: started,
    status: 'failed',
    error: null,
    decision: null,
    version: null,
    serving_before: null,
    steps: [],
    objects: { impressions: 0, events: 0, waiting: 0 },
    records: { impressions: { read: 0, added: 0 }, events: { read: 0, added: 0 } },
    quarantined: [],
    counts: {},
    metrics: {},
    training: {},
    policy: {},
    watermark: null,
    gate: null,
    canary: null,
    garbage_collected: [],
  };
}

/** @returns the store key of a run's record */
export function runRecordKey(runId: string): string {
  return `state/runs/${runId}.json`;
}

type Est = { estimate: number; ci: [number, number]; ess: number };

/** A readable summary of a run for humans (the JSON next to it is for machines). */
export function runMarkdown(r: RunRecord): string {
  const lines = [
    `# slatecast batch run ${r.run_id}`,
    '',
    `- status: **${r.status}**${r.error ? ` — ${r.error}` : ''}`,
    `- decision: ${r.decision ?? '—'}`,
    `- version: ${r.version ?? '—'} (serving before: ${r.serving_before ?? 'none'})`,
    `- started: ${new Date(r.started_at).toISOString()}, took ${((r.finished_at - r.started_at) / 1000).toFixed(1)} s`,
    `- log objects: ${r.objects.impressions} impressions, ${r.objects.events} events consumed, ${r.objects.waiting} left to settle`,
    `- records: impressions ${r.records.impressions.added} new of ${r.records.impressions.read} read; events ${r.records.events.added} new of ${r.records.events.read} read`,
    `- quarantined: ${r.quarantined.length ? r.quarantined.map((q) => `\`${q.key}\` (${q.reason})`).join('; ') : 'none'}`,
    '',
    '## Steps',
    '',
    '| step | ms |',
    '|---|---:|',
    ...r.steps.map((s) => `| ${s.name} | ${s.ms} |`),
    '',
    '## Cumulative counts (deduplicated lake)',
    '',
    '| count | value |',
    '|---|---:|',
    ...Object.entries(r.counts).map(([k, v]) => `| ${k} | ${v} |`),
  ];
  const m = r.metrics as { k?: number; model?: Record<string, number>; popularity?: Record<string, number>; popularity_posterior?: Record<string, number>; recall_ratio?: number | null };
  if (m.model && m.popularity) {
    const keys = Object.keys(m.model);
    lines.push('', `## Offline metrics on the time-split holdout (k = ${m.k})`, '', `| metric | model | popularity (clicks) | popularity (posterior) |`, '|---|---:|---:|---:|');
    for (const k of keys) lines.push(`| ${k} | ${m.model[k]} | ${m.popularity[k]} | ${m.popularity_posterior?.[k] ?? '—'} |`);
    lines.push('', `recall ratio model / popularity: **${m.recall_ratio ?? '—'}**`);
  }
  if (r.canary) {
    const c = r.canary as { version?: string; outcome?: string; reason?: string };
    lines.push('', '## Canary', '', `- ${c.version ?? '?'}: **${c.outcome ?? '?'}** — ${c.reason ?? ''}`);
  }
  if (r.gate) {
    const g = r.gate as { publish?: boolean; forced?: boolean; reason?: string; n?: number; tolerance?: number; difference?: Est | null; candidate_value?: Est | null; serving_value?: Est | null; override?: { operator: string; reason: string } | null };
    const f = (e: Est | null | undefined) => (e ? `${e.estimate.toPrecision(4)} [${e.ci[0].toPrecision(4)}, ${e.ci[1].toPrecision(4)}] (ESS ${Math.round(e.ess)})` : '—');
    lines.push('', '## Deploy gate', '', `- decision: **${g.publish ? (g.forced ? 'publish (forced)' : 'publish') : 'reject'}** — ${g.reason ?? ''}`);
    if (g.difference) {
      lines.push(`- impressions evaluated: ${g.n}, tolerance ${g.tolerance}`, `- V̂(candidate) − V̂(serving): ${f(g.difference)}`, `- V̂(candidate): ${f(g.candidate_value)}`, `- V̂(serving): ${f(g.serving_value)}`);
    }
    if (g.override) lines.push(`- override by ${g.override.operator}: ${g.override.reason}`);
  }
  if (Object.keys(r.training).length) {
    const t = r.training;
    lines.push('', '## Training', '', `backend ${String(t.backend)} (${String(t.provider)}${t.simd ? ', SIMD' : ''}), model ${String(t.model)}, ${String(t.samples ?? 0)} samples at ${String(t.samples_per_s ?? '—')}/s`);
  }
  return lines.join('\n') + '\n';
}
