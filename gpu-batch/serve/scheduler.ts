import type { RunRecord } from '../run/run-record.js';

/** Summary of the scheduler for `GET /status`. */
export interface SchedulerState {
  running: boolean;
  runs: number;
  next_run_at: number | null;
  last_run: Pick<RunRecord, 'run_id' | 'status' | 'version' | 'error' | 'decision' | 'started_at' | 'finished_at' | 'counts' | 'metrics'> | null;
  last_error: string | null;
}

/**
 * Runs `batch run` on a fixed period and on demand, never two at once (single flight): a trigger
 * while a run is in progress is answered "already running" rather than queued, because the next
 * run picks up everything new anyway.
 */
export class BatchScheduler {
  private current: Promise<RunRecord | null> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private runs = 0;
  private last: RunRecord | null = null;
  private lastError: string | null = null;
  private nextAt: number | null = null;

  /**
   * @param run one batch round (resolves to its record, rejects on failure)
   * @param everyMs period; 0 = only on trigger
   */
  constructor(
    private readonly run: () => Promise<RunRecord>,
    private readonly everyMs: number,
    private readonly onError: (e: Error) => void = () => {},
  ) {}

  /** Starts the periodic schedule (first run after one period; call `trigger` to run at once). */
  start(): void {
    if (this.everyMs <= 0 || this.timer) return;
    this.nextAt = Date.now() + this.everyMs;
    this.timer = setInterval(() => {
      this.nextAt = Date.now() + this.everyMs;
      this.trigger();
    }, this.everyMs);
  }

  /** @returns false when a run is already in progress */
  trigger(): boolean {
    if (this.current) return false;
    this.current = this.run()
      .then((r) => {
        this.last = r;
        this.lastError = null;
        return r;
      })
      .catch((e: Error) => {
        this.lastError = e.message;
        this.onError(e);
        return null;
      })
      .finally(() => {
        this.runs++;
        this.current = null;
      });
    return true;
  }

  /** Resolves when the run in progress (if any) ends. */
  async idle(): Promise<void> {
    await this.current;
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.nextAt = null;
    await this.idle();
  }

  state(): SchedulerState {
    const r = this.last;
    return {
      running: this.current !== null,
      runs: this.runs,
      next_run_at: this.nextAt,
      last_run: r
        ? { run_id: r.run_id, status: r.status, version: r.version, error: r.error, decision: r.decision, started_at: r.started_at, finished_at: r.finished_at, counts: r.counts, metrics: r.metrics }
        : null,
      last_error: this.lastError,
    };
  }
}
