import { versionName } from '../../../shared/artifact/paths.js';
import { chooseSurfaceEpsilons } from '../../ope/epsilon.js';
import { VersionTarget } from '../../ope/policy-view.js';
import { versionFiles, type VersionFiles } from '../artifact-files.js';
import { resultOf, type Step } from '../context.js';

/** The candidate version: its typed policy and the rest of its files. */
export type Candidate = VersionFiles;

/**
 * 5. policy: the candidate version's files from what was learned, then ε per surface from
 * off-policy estimates (the coverage rule's value is the floor; ope/epsilon.ts).
 */
export const policyStep: Step<'policy'> = {
  name: 'policy',
  applies: (ctx) => resultOf(ctx, 'ingest').decision.publish,
  async run(ctx) {
    const { config, record, progress } = ctx;
    const learned = resultOf(ctx, 'train');
    const serving = resultOf(ctx, 'list').serving;
    const generation = serving ? (typeof serving.training.generation === 'number' ? serving.training.generation + 1 : 1) : 0;
    const candidate = versionFiles(config, learned, versionName(ctx.now(), ctx.randomHex(6)), generation);
    record.policy = candidate.policySummary;
    const { epsilon, exploration_pool: pool } = candidate.policySummary;
    progress.info(`policy: exploration pool ${pool} items, ε ${Object.entries(epsilon).map(([s, e]) => `${s} ${e}`).join(', ')}`);
    if (learned.bootstrap) return candidate;
    const target = VersionTarget.fromFiles(candidate.version, candidate.files, candidate.policy);
    const eps = await chooseSurfaceEpsilons(ctx.duck, config, { policy: candidate.policy, target }, resultOf(ctx, 'ingest').lake);
    if (Object.keys(eps).length > 0) {
      learned.metrics.epsilon = eps;
      record.policy = {
        ...record.policy,
        epsilon: Object.fromEntries(Object.entries(eps).map(([s, e]) => [s, e.chosen])),
        epsilon_rule: Object.fromEntries(Object.entries(eps).map(([s, e]) => [s, e.rule])),
      };
      for (const [s, e] of Object.entries(eps)) progress.info(`epsilon ${s}: ${e.chosen} (${e.source}: ${e.reason})`);
    }
    return candidate;
  },
};
