import { canaryVerdict, type CanaryVerdict } from '../../../shared/artifact/canary.js';
import { swapPointer } from '../../../shared/artifact/publish.js';
import { readManifest, readPointerState } from '../../../shared/artifact/verify.js';
import type { Manifest } from '../../../shared/schemas/artifact.js';
import { readCanaryArms } from '../../ope/canary-traffic.js';
import { resultOf, type RunContext, type Step } from '../context.js';

/** What serves once a live canary is settled: the gate and publish compare against this. */
export interface Settled {
  serving: Manifest | null;
  /** The version CURRENT names now (publish compares-and-swaps against it). */
  named: string | null;
  verdict: CanaryVerdict | null;
}

/**
 * 4. canary: when CURRENT names a canary, judge it on its own traffic since it started against the
 * serving version's (`canaryVerdict`: per-user reward per slate, the deploy gate's margin) and
 * promote it (CURRENT names it), roll it back (CURRENT ends it), or let it wait for more users.
 * Runs before training so the gate then judges this run's candidate against what serves after.
 */
export const canaryStep: Step<'canary'> = {
  name: 'canary',
  applies: (ctx) => resultOf(ctx, 'list').canary !== null,
  async run(ctx) {
    const { store, config, progress, record, now } = ctx;
    const listed = resultOf(ctx, 'list');
    const canary = listed.canary!;
    const keep: Settled = { serving: listed.serving, named: listed.named, verdict: null };
    if (!listed.serving || listed.named !== listed.serving.version) {
      // The canary was started beside CURRENT's version; when that one does not serve (it fails
      // verification), the arms are not what they were. End it unjudged; this run's candidate is
      // judged as usual.
      const state = await readPointerState(store);
      await swapPointer(store, listed.named!, pointerSha(state), `end canary ${canary.version}: CURRENT's version does not serve`, now(), listed.named, state);
      record.canary = { version: canary.version, outcome: 'ended', reason: `CURRENT's version ${listed.named ?? '(none)'} does not serve` };
      return keep;
    }
    const arms = await readCanaryArms(ctx.duck, resultOf(ctx, 'ingest').lake, {
      canary: canary.version,
      control: listed.serving.version,
      since: canary.started_at,
      rewards: config.rewards,
      attributionWindowMs: config.attributionWindowMs,
    });
    const verdict = canaryVerdict(arms.canary, arms.control, { tolerance: config.gate.tolerance, relativeMargin: config.gate.relativeMargin });
    record.canary = { version: canary.version, share: canary.share, started_at: canary.started_at, control_version: listed.serving.version, ...verdict };
    progress.info(`canary ${canary.version}: ${verdict.outcome.toUpperCase()} — ${verdict.reason}`);
    if (verdict.outcome === 'wait') return { ...keep, verdict };
    const state = await readPointerState(store);
    if (verdict.outcome === 'rollback') {
      await swapPointer(store, listed.serving.version, pointerSha(state), `roll back canary ${canary.version}`, now(), listed.named, state);
      return { ...keep, verdict };
    }
    await swapPointer(store, canary.version, canary.manifest_sha256, `promote canary ${canary.version}`, now(), listed.named, state);
    const serving = await readManifest(store, canary.version, canary.manifest_sha256);
    return { serving, named: canary.version, verdict };
  },
};

function pointerSha(state: Awaited<ReturnType<typeof readPointerState>>): string {
  if (state.kind !== 'ok') throw new Error('artifacts/CURRENT changed while the canary was judged');
  return state.pointer.manifest_sha256;
}

/** What serves for the gate and publish: after the canary step when it ran, else as listed. */
export function servingOf(ctx: RunContext): { serving: Manifest | null; named: string | null } {
  return ctx.results.canary ?? resultOf(ctx, 'list');
}
