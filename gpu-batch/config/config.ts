import { resolve } from 'node:path';
import { z } from 'zod';
import { GATE_DEFAULTS, TASTE_MODES } from '../ope/gate-defaults.js';
import { parseDuration } from './duration.js';
import { UsageError } from './errors.js';
import { DEFAULT_REWARDS, parseRewards, type RewardMap } from './rewards.js';

/** Backends the trainer may run on; `auto` picks the best one installed (see train/backend.ts). */
export const BackendChoice = z.enum(['auto', 'tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu']);
export type BackendChoice = z.infer<typeof BackendChoice>;

const duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  try {
    const ms = typeof v === 'number' ? v : parseDuration(v);
    if (!Number.isInteger(ms) || ms < 0) throw new UsageError(`duration must be a non-negative whole number of ms, got ${v}`);
    return ms;
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);

/**
 * Everything the batch tier can be told, validated once at start and passed down as one object
 * (no `process.env` reads below the CLI). Defaults are the production values; tests override.
 */
export const BatchConfig = z.object({
  s3: z.object({
    /** Empty for AWS itself; `http://127.0.0.1:4568` for a local server; R2's S3 endpoint on Cloudflare. */
    endpoint: z.url().optional(),
    bucket: z.string().min(3).max(63),
    region: z.string().min(1).default('us-east-1'),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
  }),
  /** Local scratch: downloaded logs, the Parquet lake mirror, run reports. */
  workDir: z.string().min(1),
  backend: BackendChoice.default('auto'),
  seed: int(0, 2 ** 31 - 1).default(42),
  /**
   * Only log objects whose batch id (write time) is older than this are consumed. Queue consumers
   * name an object when they start writing it, so a slow write can land a key that sorts before
   * keys already visible; waiting out the lag before passing a key makes that safe.
   */
  settleMs: duration.default(120_000),
  /** Events later than this after their impression give no reward. */
  attributionWindowMs: duration.default(30 * 60_000),
  rewards: z.custom<RewardMap>().default(DEFAULT_REWARDS),
  /** Only impressions newer than this (relative to the newest) train the model; 0 = all. */
  trainWindowMs: duration.default(0),
  dims: int(2, 512).default(32),
  epochs: int(1, 200).default(12),
  /** Extra epochs over train + holdout after the holdout evaluation, for the published model. */
  finetuneEpochs: int(0, 50).default(2),
  batchSize: int(64, 1 << 20).default(8192),
  /**
   * Training samples per run (all epochs, fine-tuning included). Large logs need fewer passes, so
   * epochs shrink to fit this budget, which keeps a 1M-impression run inside its time goal.
   */
  maxSamples: int(100_000, 1e10).default(16_000_000),
  learningRate: num(1e-5, 10).default(0.15),
  /** L2 per occurrence of a row in a batch (tuned on the planted-preference world). */
  l2: num(0, 1).default(0.02),
  /** Shown-but-not-clicked rows kept per positive; the rest are dropped and the kept ones up-weighted. */
  negativesPerPositive: num(0.1, 1000).default(4),
  /** Unshown random items per positive, as extra implicit negatives. */
  randomNegatives: num(0, 100).default(1),
  /** Newest fraction of impressions (by time) held out for offline metrics; 0 turns metrics off. */
  holdoutFraction: num(0, 0.9).default(0.2),
  surface: z.string().default('home'),
  kDefault: int(1, 100).default(10),
  kMax: int(1, 100).default(20),
  /** 0 = 3 × kMax. */
  candidatesPerUser: int(0, 1000).default(0),
  /** 0 = chosen from the number of users. */
  shards: int(0, 4096).default(0),
  /**
   * Exploration (policy/exploration.ts). `explore: false` serves the ranking alone (ε = 0, also in
   * bootstrap; no `optimism`). ε of a trained version = clamp(|pool| · clicks / (p₀ θ̄) / slots, ε_min, ε_max);
   * a bootstrap version (no logs yet: nothing is known) explores at `epsilonBootstrap`.
   */
  explore: z.boolean().default(true),
  /** Strategy of every surface; the exploration rate ε feeds each (see policy/build-policy.ts). */
  strategy: z.enum(['epsilon-greedy', 'decaying-epsilon', 'ucb', 'thompson']).default('epsilon-greedy'),
  epsilonMin: num(0, 1).default(0.02),
  epsilonMax: num(0, 1).default(0.1),
  epsilonBootstrap: num(0, 1).default(1),
  /** Expected clicks per pool item per retrain that exploration buys (a few: enough to tell a winner). */
  exploreClicks: num(0.1, 1000).default(8),
  /**
   * Optimism of known users' cached candidates: they rank by logit(mean + `optimism` · sd of each
   * item's base-appeal posterior) + λ · taste (policy/exploration.ts `optimisticBase`), so an item
   * whose evidence is thin reaches the users whose taste favours it. 0 (default): by the mean —
   * the deploy gate cannot yet value what optimism buys (docs/architecture.md).
   */
  optimism: num(0, 5).default(0),
  /**
   * How many examined items just short of the bar rank at the bar in known users' cached candidates
   * (policy/exploration.ts `challengerRows`), so the users whose taste favours them see them: a
   * budgeted optimism. 0: none.
   */
  challengers: int(0, 100_000).default(10),
  /** `ramp`: ε rises down the slate (mean ε over k slots); `flat`: the same ε at every position. */
  explorePositions: z.enum(['ramp', 'flat']).default('ramp'),
  /**
   * The exploration pool (policy/exploration.ts `explorationPool`): every never-examined item, up
   * to `poolMax`; examined items that could still win fill it up to `poolBase` (a quarter of it when
   * the new items alone reach it).
   */
  poolMax: int(1, 100_000).default(100),
  poolBase: int(1, 100_000).default(40),
  keepVersions: int(1, 1000).default(20),
  /** Publish even when nothing the model learns from changed. */
  force: z.boolean().default(false),
  /**
   * The OPE deploy gate of `batch run` (gpu-batch/ope/ope-gate.ts), used by the CLI; `runBatch`
   * itself only runs the gate its caller injects. `forceReason` (`--force --force-reason`) is the
   * operator override, recorded with `operator` (`--operator`, else $USER).
   */
  gate: z
    .object({
      enabled: z.boolean().default(true),
      tolerance: num(0, 1e6).default(GATE_DEFAULTS.tolerance),
      /** Share of the serving value a candidate may be worse by before the gate rejects it. */
      relativeMargin: num(0, 1).default(GATE_DEFAULTS.relativeMargin),
      minEss: num(0, 1e9).default(GATE_DEFAULTS.minEss),
      /** Whose taste the gate's reward model prices unseen (user, item) pairs with (`TasteMode`). */
      taste: z.enum(TASTE_MODES).default(GATE_DEFAULTS.taste),
      maxImpressions: int(1, 10_000_000).default(GATE_DEFAULTS.maxImpressions),
      minImpressions: int(1, 10_000_000).default(GATE_DEFAULTS.minImpressions),
      /**
       * Share of impressions no per-user learning reads and the gate evaluates on
       * (gpu-batch/dataset/eval-slice.ts); 0: the gate reads every recent impression.
       */
      slice: num(0, 0.5).default(GATE_DEFAULTS.slice),
      forceReason: z.string().min(1).max(500).optional(),
      operator: z.string().min(1).max(200).default('unknown'),
      /**
       * Share of users a candidate the logs cannot judge (the rule inconclusive, or logs without
       * exploration) is served to as a canary beside the serving version, promoted or rolled back
       * by the next run on that traffic (shared/artifact/canary.ts); 0: off, the point estimate
       * decides as before.
       */
      canaryShare: num(0, 0.5).default(0),
    })
    .prefault({}),
  /**
   * Epsilon per surface from off-policy estimates (gpu-batch/ope/epsilon.ts): the newest
   * `sample` impressions of each surface; 0 turns it off (the rule of policy/exploration.ts alone).
   */
  epsilonOpe: z
    .object({
      // Off by default: OPE values the next click, not what exploring teaches for later rounds.
      sample: int(0, 1_000_000).default(0),
      tolerance: num(0, 1e6).default(0.01),
    })
    .prefault({}),
  quiet: z.boolean().default(false),
  serve: z.object({
    port: int(0, 65535).default(8788),
    host: z.string().default('127.0.0.1'),
    everyMs: duration.default(15 * 60_000),
    triggerToken: z.string().min(16, 'BATCH_TRIGGER_TOKEN must be at least 16 characters').optional(),
  }),
});
export type BatchConfig = z.infer<typeof BatchConfig>;
export type BatchConfigInput = z.input<typeof BatchConfig>;

/** Flag values as `parseArgs` gives them. */
export type Flags = Record<string, string | boolean | undefined>;

/**
 * Builds the config from the environment and command-line flags (flags win).
 * @param env usually `process.env`
 * @param flags parsed flags (kebab-case names)
 * @param cwd where relative paths are resolved
 * @throws UsageError naming the first bad setting
 */
export function loadConfig(env: Record<string, string | undefined>, flags: Flags = {}, cwd = process.cwd()): BatchConfig {
  const f = (name: string): string | undefined => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const pick = (...vals: Array<string | undefined>): string | undefined => vals.find((v) => v !== undefined && v !== '');
  const raw = {
    s3: {
      endpoint: pick(f('endpoint'), env.S3_ENDPOINT),
      bucket: pick(f('bucket'), env.S3_BUCKET) ?? 'slatecast',
      region: pick(f('region'), env.S3_REGION, env.AWS_REGION),
      accessKeyId: pick(env.S3_ACCESS_KEY_ID, env.AWS_ACCESS_KEY_ID),
      secretAccessKey: pick(env.S3_SECRET_ACCESS_KEY, env.AWS_SECRET_ACCESS_KEY),
    },
    workDir: resolve(cwd, pick(f('work-dir'), env.SLATECAST_WORK_DIR) ?? '.tmp/batch'),
    backend: pick(f('backend'), env.SLATECAST_BACKEND),
    seed: pick(f('seed')),
    settleMs: pick(f('settle'), env.SLATECAST_SETTLE),
    attributionWindowMs: pick(f('window'), env.SLATECAST_ATTRIBUTION_WINDOW),
    rewards: ((r) => (r ? parseRewards(r) : undefined))(pick(f('reward'), env.SLATECAST_REWARDS)),
    trainWindowMs: pick(f('train-window')),
    dims: pick(f('dims')),
    epochs: pick(f('epochs')),
    finetuneEpochs: pick(f('finetune-epochs')),
    batchSize: pick(f('batch-size')),
    learningRate: pick(f('lr')),
    negativesPerPositive: pick(f('negatives')),
    holdoutFraction: pick(f('holdout')),
    shards: pick(f('shards')),
    kDefault: pick(f('k-default')),
    kMax: pick(f('k-max')),
    explore: flags['no-explore'] === true || /^(0|false|off|no)$/i.test(env.SLATECAST_EXPLORE ?? '') ? false : undefined,
    strategy: pick(f('strategy'), env.SLATECAST_STRATEGY),
    epsilonMin: pick(f('epsilon-min'), env.SLATECAST_EPSILON_MIN),
    epsilonMax: pick(f('epsilon-max'), env.SLATECAST_EPSILON_MAX),
    epsilonBootstrap: pick(f('epsilon-bootstrap'), env.SLATECAST_EPSILON_BOOTSTRAP),
    explorePositions: pick(f('explore-positions'), env.SLATECAST_EXPLORE_POSITIONS),
    poolMax: pick(f('pool-max'), env.SLATECAST_POOL_MAX),
    poolBase: pick(f('pool-base'), env.SLATECAST_POOL_BASE),
    exploreClicks: pick(f('explore-clicks'), env.SLATECAST_EXPLORE_CLICKS),
    optimism: pick(f('optimism'), env.SLATECAST_OPTIMISM),
    challengers: pick(f('challengers'), env.SLATECAST_CHALLENGERS),
    force: flags.force === true,
    gate: {
      enabled: flags['no-gate'] !== true,
      tolerance: pick(f('gate-tolerance')),
      relativeMargin: pick(f('gate-margin')),
      taste: pick(f('gate-taste'), env.SLATECAST_GATE_TASTE),
      slice: pick(f('gate-slice'), env.SLATECAST_GATE_SLICE),
      forceReason: pick(f('force-reason')),
      operator: pick(f('operator'), env.USER, env.USERNAME),
      canaryShare: pick(f('canary'), env.SLATECAST_CANARY),
    },
    quiet: flags.quiet === true,
    serve: {
      port: pick(f('port'), env.PORT),
      host: pick(f('host')),
      everyMs: pick(f('every')),
      triggerToken: pick(env.BATCH_TRIGGER_TOKEN),
    },
  };
  return parseConfig(raw);
}

/**
 * Validates a config object (also what tests and the demo call with plain values).
 * @throws UsageError naming the first bad setting
 */
export function parseConfig(raw: BatchConfigInput | Record<string, unknown>): BatchConfig {
  const parsed = BatchConfig.safeParse(stripUndefined(raw));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UsageError(`bad setting ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  }
  const c = parsed.data;
  if (c.kDefault > c.kMax) throw new UsageError(`k-default (${c.kDefault}) must not exceed k-max (${c.kMax})`);
  if (c.epsilonMin > c.epsilonMax) throw new UsageError('epsilonMin must not exceed epsilonMax');
  if (c.gate.forceReason !== undefined && !c.force) throw new UsageError('--force-reason needs --force (the operator override of the deploy gate)');
  if (c.candidatesPerUser !== 0 && c.candidatesPerUser < 3 * c.kMax) throw new UsageError(`candidatesPerUser must be at least 3 × k-max = ${3 * c.kMax}`);
  return c;
}

/** zod defaults apply to missing keys only; env/flag lookups give explicit undefineds. */
function stripUndefined(x: unknown): unknown {
  if (Array.isArray(x) || x === null || typeof x !== 'object') return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) if (v !== undefined) out[k] = stripUndefined(v);
  return out;
}

/** @returns the candidate list length the config implies (≥ 3 × kMax). */
export function candidatesPerUser(c: BatchConfig): number {
  return c.candidatesPerUser || 3 * c.kMax;
}
