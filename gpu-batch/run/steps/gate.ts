import type { GateVerdict } from '../../publish/gate.js';
import { versionBytes } from '../artifact-files.js';
import { resultOf, type RunContext, type Step } from '../context.js';
import { servingOf } from './canary.js';

/** The candidate's bytes and what the gate said of them: what was judged is what publish writes. */
export interface Judged {
  files: Record<string, Uint8Array>;
  /** Null when no gate ran (`--no-gate`). */
  verdict: GateVerdict | null;
  /** The share of users the candidate serves as a canary; null: it is published whole (or not at all). */
  canaryShare: number | null;
}

/** Whether the run goes on to publish: something to publish, and no gate said no. */
export function passed(ctx: RunContext): boolean {
  return resultOf(ctx, 'ingest').decision.publish && resultOf(ctx, 'gate').verdict?.publish !== false;
}

/**
 * 6. gate: the candidate serialised once, judged against the serving version by the configured
 * deploy gate (ope/ope-gate.ts). A rejection ends the run `rejected`: nothing is published, and
 * the watermark still advances (the next run with new logs retrains). With `--canary` a
 * candidate the logs cannot judge (`undecided`) goes out as a canary instead.
 */
export const gateStep: Step<'gate'> = {
  name: 'gate',
  applies: (ctx) => resultOf(ctx, 'ingest').decision.publish,
  async run(ctx) {
    const { record, progress } = ctx;
    const candidate = resultOf(ctx, 'policy');
    const files = versionBytes(candidate);
    if (!ctx.gate) {
      progress.info('gate: off (--no-gate)');
      return { files, verdict: null, canaryShare: null };
    }
    const verdict = await ctx.gate({
      store: ctx.store,
      duck: ctx.duck,
      candidate: { version: candidate.version, files, metrics: resultOf(ctx, 'train').metrics, evalSlice: resultOf(ctx, 'train').evalSlice },
      serving: servingOf(ctx).serving,
      lake: resultOf(ctx, 'ingest').lake,
    });
    record.gate = verdict ? { ...verdict } : null;
    const share = ctx.config.gate.canaryShare;
    if (verdict?.undecided && share > 0 && servingOf(ctx).serving) {
      // The logs cannot judge it: let the candidate's own traffic do so (steps/canary.ts).
      progress.info(`gate: undecided — ${candidate.version} goes out as a canary to ${Math.round(share * 100)}% of users`);
      return { files, verdict: { ...verdict, publish: true }, canaryShare: share };
    }
    if (verdict && !verdict.publish) {
      record.status = 'rejected';
      record.decision = `gate rejected ${candidate.version}: ${verdict.reason}`;
    }
    return { files, verdict, canaryShare: null };
  },
};
