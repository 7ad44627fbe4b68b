import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { readPointer } from '../../shared/artifact/verify.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { RunRecord } from '../run/run-record.js';

/** Seconds: a step takes from milliseconds (list) to minutes (train on a large lake). */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

/**
 * The batch tier's Prometheus metrics (docs/monitoring.md lists them with the alert rules).
 *
 * Counters and histograms count what this `batch serve` process ran since it started, the usual
 * Prometheus contract (`rate()` and `increase()` handle restarts). The serving version's age is
 * read from the store at scrape time, so it is right even when another process (a cron `batch
 * run`, a `rollback`) moved the pointer. One registry per instance (a factory, no globals), so
 * tests and several servers in one process do not share counters.
 */
export class BatchMetrics {
  readonly registry = new Registry();
  private readonly runs: Counter<'status'>;
  private readonly runDuration: Histogram<string>;
  private readonly stepSeconds: Counter<'step'>;
  private readonly lastStep: Gauge<'step'>;
  private readonly gateDecisions: Counter<'decision' | 'override'>;
  private readonly gateRejectionsInARow: Gauge<string>;
  private readonly lakeRecords: Gauge<'kind'>;
  private readonly recordsAdded: Counter<'kind'>;
  private readonly quarantined: Counter<string>;
  private readonly lastSuccess: Gauge<string>;
  private readonly http: Counter<'method' | 'route' | 'status'>;
  private rejectionsInARow = 0;

  /**
   * @param store where the serving pointer is read at scrape time
   * @param now epoch ms (tests pass a clock)
   */
  constructor(store: ObjectStore, now: () => number = Date.now) {
    const registers = [this.registry];
    // Both serving gauges read the pointer; one read serves a whole scrape.
    let pointerRead: { at: number; value: ReturnType<typeof readPointer> } | null = null;
    const pointer = () => {
      if (!pointerRead || now() - pointerRead.at > 1000) pointerRead = { at: now(), value: readPointer(store) };
      return pointerRead.value;
    };
    this.runs = new Counter({ name: 'slatecast_batch_runs_total', help: 'Batch runs finished, by status (published, canary, unchanged, rejected, failed).', labelNames: ['status'], registers });
    for (const s of ['published', 'canary', 'unchanged', 'rejected', 'failed']) this.runs.inc({ status: s }, 0);
    this.runDuration = new Histogram({ name: 'slatecast_batch_run_duration_seconds', help: 'Wall time of whole batch runs.', buckets: DURATION_BUCKETS, registers });
    // Per step a counter of seconds and the last run's time, not a labelled histogram: the average
    // (rate of the counter ÷ rate of runs) and the last value are what an operator reads, at a
    // tenth of the series.
    this.stepSeconds = new Counter({ name: 'slatecast_batch_step_seconds_total', help: 'Wall time spent in each step of batch runs (list, download, ingest, canary, train, policy, gate, publish, watermark).', labelNames: ['step'], registers });
    this.lastStep = new Gauge({ name: 'slatecast_batch_last_step_duration_seconds', help: 'Wall time of each step in the last run that reached it.', labelNames: ['step'], registers });
    this.gateDecisions = new Counter({ name: 'slatecast_gate_decisions_total', help: 'Deploy gate verdicts: publish or reject, and whether an operator override forced it.', labelNames: ['decision', 'override'], registers });
    for (const d of ['publish', 'reject']) this.gateDecisions.inc({ decision: d, override: 'false' }, 0);
    this.gateRejectionsInARow = new Gauge({ name: 'slatecast_gate_rejections_in_a_row', help: 'Deploy gate rejections since its last publish verdict.', registers });
    this.lakeRecords = new Gauge({ name: 'slatecast_lake_records', help: 'Records in the lake after the last run, by kind (impressions, events, users, items …).', labelNames: ['kind'], registers });
    this.recordsAdded = new Counter({ name: 'slatecast_batch_records_added_total', help: 'New (de-duplicated) records ingested into the lake, by kind.', labelNames: ['kind'], registers });
    this.quarantined = new Counter({ name: 'slatecast_quarantined_objects_total', help: 'Log objects moved to logs/quarantine/ because a line failed validation.', registers });
    this.lastSuccess = new Gauge({ name: 'slatecast_batch_last_success_timestamp_seconds', help: 'When the last run that did not fail finished (epoch seconds).', registers });
    this.http = new Counter({ name: 'slatecast_batch_http_requests_total', help: 'Requests answered by batch serve, by method, route and status.', labelNames: ['method', 'route', 'status'], registers });
    new Gauge({
      name: 'slatecast_serving_version_age_seconds',
      help: 'Seconds since artifacts/CURRENT last moved (publish or rollback), labelled with the serving version; absent when nothing is published.',
      // Labelled so that "nothing published" is no sample rather than a misleading 0.
      labelNames: ['version'],
      registers,
      async collect() {
        this.reset();
        const p = await pointer();
        if (p) this.set({ version: p.pointer.version }, Math.max(0, (now() - p.pointer.updated_at) / 1000));
      },
    });
    new Gauge({
      name: 'slatecast_serving_version_info',
      help: 'The serving version (label), always 1.',
      labelNames: ['version', 'reason'],
      registers,
      async collect() {
        this.reset();
        const p = await pointer();
        if (p) this.set({ version: p.pointer.version, reason: p.pointer.reason }, 1);
      },
    });
  }

  /** Counts a finished run from its record. */
  observeRun(r: RunRecord): void {
    this.runs.inc({ status: r.status });
    this.runDuration.observe(Math.max(0, (r.finished_at - r.started_at) / 1000));
    for (const s of r.steps) {
      this.stepSeconds.inc({ step: s.name }, s.ms / 1000);
      this.lastStep.set({ step: s.name }, s.ms / 1000);
    }
    for (const [kind, n] of Object.entries(r.counts)) if (Number.isFinite(n)) this.lakeRecords.set({ kind }, n);
    this.recordsAdded.inc({ kind: 'impressions' }, r.records.impressions.added);
    this.recordsAdded.inc({ kind: 'events' }, r.records.events.added);
    this.quarantined.inc(r.quarantined.length);
    if (r.status !== 'failed') this.lastSuccess.set(r.finished_at / 1000);
    const gate = r.gate as { publish?: unknown; override?: unknown } | null;
    if (gate && typeof gate.publish === 'boolean') {
      this.gateDecisions.inc({ decision: gate.publish ? 'publish' : 'reject', override: gate.override ? 'true' : 'false' });
      this.rejectionsInARow = gate.publish ? 0 : this.rejectionsInARow + 1;
      this.gateRejectionsInARow.set(this.rejectionsInARow);
    }
  }

  /** Counts a run that failed before it could return its record. */
  runFailed(): void {
    this.runs.inc({ status: 'failed' });
  }

  /** Counts one HTTP answer. */
  request(method: string, route: string, status: number): void {
    this.http.inc({ method, route, status: String(status) });
  }

  /** The exposition text and its content type. */
  async expose(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
