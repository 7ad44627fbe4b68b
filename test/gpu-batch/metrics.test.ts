import parsePrometheus from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../gpu-batch/run/run-record.js';
import { BatchMetrics } from '../../gpu-batch/serve/metrics.js';
import { MemoryStore } from '../../shared/store/memory-store.js';

/** A finished run's record with a gate verdict (the fields BatchMetrics reads). */
function run(status: RunRecord['status'], gate: Record<string, unknown> | null, quarantined = 0): RunRecord {
  return {
    schema: 'batch-run/v1', run_id: `r-${Math.random()}`, started_at: 1_000, finished_at: 4_000, status, error: null, decision: null, version: null, serving_before: null,
    steps: [{ name: 'list', ms: 100 }, { name: 'train', ms: 2_000 }], objects: { impressions: 1, events: 1, waiting: 0 },
    records: { impressions: { read: 10, added: 7 }, events: { read: 3, added: 2 } },
    quarantined: Array.from({ length: quarantined }, (_, i) => ({ key: `logs/quarantine/${i}`, reason: 'bad line' })) as RunRecord['quarantined'],
    counts: { impressions: 70, events: 20 }, metrics: {}, training: {}, policy: {}, watermark: null, gate, canary: null, garbage_collected: [],
  };
}

describe('BatchMetrics', () => {
  it('counts gate verdicts and rejections in a row, quarantines and records, in Prometheus text', async () => {
    const m = new BatchMetrics(new MemoryStore(), () => 0);
    m.observeRun(run('rejected', { publish: false }));
    m.observeRun(run('rejected', { publish: false }, 2));
    m.observeRun(run('rejected', { publish: false }));
    const read = async () => new Map(parsePrometheus((await m.expose()).body).map((f) => [f.name, f.metrics]));
    let f = await read();
    expect(Number(f.get('slatecast_gate_rejections_in_a_row')![0]!.value)).toBe(3);
    expect(Number(f.get('slatecast_quarantined_objects_total')![0]!.value)).toBe(2);
    expect(f.get('slatecast_serving_version_age_seconds')).toEqual([]); // nothing published: no sample
    m.observeRun(run('published', { publish: true, override: { operator: 'ann', reason: 'x' } }));
    m.runFailed();
    f = await read();
    expect(Number(f.get('slatecast_gate_rejections_in_a_row')![0]!.value)).toBe(0);
    const gate = f.get('slatecast_gate_decisions_total')!.map((s) => [s.labels!['decision'], s.labels!['override'], Number(s.value)]);
    expect(gate).toEqual(expect.arrayContaining([['reject', 'false', 3], ['publish', 'true', 1], ['publish', 'false', 0]]));
    const runs = Object.fromEntries(f.get('slatecast_batch_runs_total')!.map((s) => [s.labels!['status'], Number(s.value)]));
    expect(runs).toEqual({ published: 1, canary: 0, unchanged: 0, rejected: 3, failed: 1 });
    expect(Number(f.get('slatecast_batch_records_added_total')!.find((s) => s.labels!['kind'] === 'impressions')!.value)).toBe(28);
    expect(Number(f.get('slatecast_batch_last_success_timestamp_seconds')![0]!.value)).toBe(4);
  });
});
