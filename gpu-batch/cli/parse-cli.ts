import { parseArgs } from 'node:util';
import type { Flags } from '../config/config.js';
import { UsageError } from '../config/errors.js';
import { isBooleanFlag } from './command.js';
import { COMMANDS, type CommandName } from './commands/index.js';

export interface ParsedCli {
  command: CommandName | 'help';
  positionals: string[];
  /** Every flag given: the configuration's (for `loadConfig`) and the command's own (for its schema). */
  flags: Flags;
}

/** The configuration's flags (`loadConfig`), common to every command. */
const CONFIG_VALUE_FLAGS = [
  'endpoint', 'bucket', 'region', 'work-dir', 'backend', 'seed', 'settle', 'window', 'reward', 'train-window', 'dims', 'epochs',
  'finetune-epochs', 'batch-size', 'lr', 'negatives', 'holdout', 'shards', 'k-default', 'k-max', 'every', 'port', 'host',
  'gate-tolerance', 'force-reason', 'operator', 'gate-margin', 'gate-taste', 'gate-slice', 'strategy', 'epsilon-min', 'epsilon-max', 'epsilon-bootstrap',
  'explore-positions', 'pool-max', 'pool-base', 'explore-clicks', 'optimism', 'challengers', 'canary',
] as const;
const CONFIG_BOOL_FLAGS = ['force', 'quiet', 'help', 'no-gate', 'no-explore'] as const;

const commandList = Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n');

export const USAGE = `usage: slatecast <command> [flags]

commands:
  dev [--help]                 the local stack for your own site (= npm start): S3 server, edge, batch serve
${commandList}

flags:
  --endpoint URL --bucket NAME --region R     object store (env S3_ENDPOINT, S3_BUCKET, S3_REGION;
                                              credentials from S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY or AWS_*)
  --work-dir DIR                              local scratch (env SLATECAST_WORK_DIR, default .tmp/batch)
  --backend auto|tfjs-node-gpu|webgpu|tfjs-node|wasm|cpu
  --settle 2m --window 30m --reward click=1,purchase=5 --train-window 30d
  --dims 32 --epochs 12 --finetune-epochs 2 --batch-size 8192 --lr 0.15 --negatives 4 --holdout 0.2
  --shards N --k-default 10 --k-max 20 --seed N --force --quiet
  --gate-margin 0.025 --gate-tolerance 0      deploy gate: reject when the upper 95% bound of
                                              V(candidate) − V(serving) < −(tolerance + margin × V(serving));
                                              publish when the lower bound is above it; in between, the
                                              point estimate decides (slate doubly robust: a reward model
                                              values what the logs never showed, residuals correct the rest)
  --gate-taste both|candidate|none            the reward model prices a (user, item) pair the logs never
                                              showed by the two versions' mean taste (none while the serving
                                              version has no taste), the candidate's, or at the item's lift
                                              (default both; env SLATECAST_GATE_TASTE)
  --gate-slice 0.2                            a hashed share of impressions no user's list learns from; the
                                              gate judges both versions on it alone, so neither is valued with
                                              the clicks its lists memorised (env SLATECAST_GATE_SLICE; default 0: off)
  --canary 0.1                                a candidate the logs cannot judge serves this share of users
                                              beside the serving version; the next run promotes it or rolls
                                              it back on that traffic (env SLATECAST_CANARY; default 0: off)
  --force --force-reason "why" [--operator NAME]  publish a candidate the gate rejects (recorded)
  --no-gate                                   no deploy gate
  --strategy epsilon-greedy|decaying-epsilon|ucb|thompson   exploration strategy (env SLATECAST_STRATEGY)
  --epsilon-min 0.02 --epsilon-max 0.1        bounds of the exploration rate (env SLATECAST_EPSILON_MIN/MAX)
  --epsilon-bootstrap 1                       exploration of a version trained on no logs
  --explore-positions ramp|flat --explore-clicks 8    (clicks per pool item per retrain ε buys)
  --pool-max 100 --pool-base 40               pool: never-examined items up to max, examined ones fill it to base
                                              (at least base/4 of them, even when new items fill it)
  --optimism 0                                known users' candidates rank by base appeal's mean + this many sds
                                              (+ taste): thinly evidenced items reach the users they suit (0: the mean)
  --challengers 10                            examined items just short of the bar that known users' lists rank
                                              at the bar, so taste decides who sees them (0: none)
  --no-explore                                serve the ranking alone (env SLATECAST_EXPLORE=off)
  --port 8788 --host 127.0.0.1                (batch serve)
`;

/** parseArgs options: the configuration's flags and every command's own, each typed by its schema. */
function argOptions(): Record<string, { type: 'string' | 'boolean' }> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const f of CONFIG_VALUE_FLAGS) options[f] = { type: 'string' };
  for (const f of CONFIG_BOOL_FLAGS) options[f] = { type: 'boolean' };
  for (const c of Object.values(COMMANDS)) for (const [f, schema] of Object.entries(c.flags.shape)) options[f] = { type: isBooleanFlag(schema) ? 'boolean' : 'string' };
  return options;
}

/**
 * Splits argv into a command, its positionals and flags. Strict: an unknown flag, a flag of
 * another command or a missing value is a usage error (exit 2), never ignored. The command's own
 * flags are then parsed by its schema (`parseCommandFlags`), the configuration's by `loadConfig`.
 * @throws UsageError
 */
export function parseCli(argv: readonly string[]): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: argOptions() });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const words = parsed.positionals;
  const flags = parsed.values as Flags;
  if (flags.help || words.length === 0 || words[0] === 'help') return { command: 'help', positionals: [], flags };
  const name = ([words.slice(0, 2).join(' '), words[0]!] as string[]).find((n): n is CommandName => n in COMMANDS);
  if (!name) throw new UsageError(`unknown command: ${words.join(' ')}\n\n${USAGE}`);
  const command = COMMANDS[name];
  const positionals = words.slice(name.split(' ').length);
  const problem = command.positionals(positionals);
  if (problem) throw new UsageError(`${problem}\n\n${USAGE}`);
  const own = new Set(Object.keys(command.flags.shape));
  const foreign = Object.keys(flags).filter((f) => !own.has(f) && !(CONFIG_VALUE_FLAGS as readonly string[]).includes(f) && !(CONFIG_BOOL_FLAGS as readonly string[]).includes(f));
  if (foreign.length) throw new UsageError(`${name}: --${foreign[0]} is not a flag of this command\n\n${USAGE}`);
  return { command: name, positionals, flags };
}
