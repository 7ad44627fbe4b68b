import { parseArgs } from 'node:util';
import type { Flags } from './config.js';
import { UsageError } from './errors.js';

export type Command = 'catalog put' | 'batch run' | 'batch serve' | 'rollback' | 'status' | 'ope' | 'import dsjson' | 'help';

export interface ParsedCli {
  command: Command;
  positionals: string[];
  flags: Flags;
}

const VALUE_FLAGS = [
  'endpoint', 'bucket', 'region', 'work-dir', 'backend', 'seed', 'settle', 'window', 'reward', 'train-window', 'dims', 'epochs',
  'finetune-epochs', 'batch-size', 'lr', 'negatives', 'holdout', 'shards', 'k-default', 'k-max', 'every', 'port', 'host',
  'gate-tolerance', 'force-reason', 'operator', 'logs', 'target', 'format', 'out', 'export-dsjson', 'clip', 'max-impressions', 'surface',
  'gate-margin', 'strategy', 'epsilon-min', 'epsilon-max', 'epsilon-bootstrap', 'explore-positions', 'pool-max', 'explore-clicks',
] as const;
const BOOL_FLAGS = ['force', 'quiet', 'json', 'help', 'run-now', 'no-gate', 'no-explore', 'strict'] as const;

export const USAGE = `usage: slatecast <command> [flags]

commands:
  dev [--help]                 the local stack for your own site (= npm start): S3 server, edge, batch serve
  catalog put <items.ndjson>   validate and upload the item catalog (all or nothing)
  batch run                    one retraining round: ingest logs, train, publish
  batch serve [--every 15m]    run on a schedule; POST /trigger, GET /status, GET /metrics (Prometheus) and
                               /dashboard, all behind bearer BATCH_TRIGGER_TOKEN (docs/monitoring.md)
  rollback [version]           point artifacts/CURRENT back (default: the most recent earlier version that verifies)
  status [--json]              serving version, age, sizes, last run's metrics
  ope --logs DIR|s3://BUCKET/PREFIX --target VERSION|policy.json
                               off-policy estimates of a target on logs: a table (IPS, clipped IPS,
                               SNIPS, slate IPS, DR), then JSON (--out FILE writes it there instead);
                               --format ndjson|dsjson, --export-dsjson OUT.jsonl, --clip 10,
                               --max-impressions N (newest; default all), --strict (a malformed
                               DSJSON line is an error instead of skipped and counted)
  import dsjson <files|dirs|s3://BUCKET/PREFIX>…
                               Decision Service (Personalizer) DSJSON logs → impression and event
                               log objects under logs/ (or --out DIR), for the next batch run;
                               --surface NAME (default home), --strict; see docs/dsjson.md

flags:
  --endpoint URL --bucket NAME --region R     object store (env S3_ENDPOINT, S3_BUCKET, S3_REGION;
                                              credentials from S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY or AWS_*)
  --work-dir DIR                              local scratch (env SLATECAST_WORK_DIR, default .tmp/batch)
  --backend auto|tfjs-node-gpu|webgpu|tfjs-node|wasm|cpu
  --settle 2m --window 30m --reward click=1,purchase=5 --train-window 30d
  --dims 32 --epochs 12 --finetune-epochs 2 --batch-size 8192 --lr 0.15 --negatives 4 --holdout 0.2
  --shards N --k-default 10 --k-max 20 --seed N --force --quiet
  --gate-margin 0.05 --gate-tolerance 0       deploy gate: reject when the upper 95% bound of
                                              V(candidate) − V(serving) < −(tolerance + margin × V(serving));
                                              publish when the lower bound is above it; in between, the
                                              point estimate decides; with too little support (ESS), the
                                              candidate's holdout recall must reach half of popularity's
  --force --force-reason "why" [--operator NAME]  publish a candidate the gate rejects (recorded)
  --no-gate                                   no deploy gate
  --strategy epsilon-greedy|decaying-epsilon|ucb|thompson   exploration strategy (env SLATECAST_STRATEGY)
  --epsilon-min 0.02 --epsilon-max 0.1        bounds of the exploration rate (env SLATECAST_EPSILON_MIN/MAX)
  --epsilon-bootstrap 1                       exploration of a version trained on no logs
  --explore-positions ramp|flat --pool-max 40 --explore-clicks 8    (clicks per pool item per retrain ε buys)
  --no-explore                                serve the ranking alone (env SLATECAST_EXPLORE=off)
  --port 8788 --host 127.0.0.1 --run-now      (batch serve)
`;

/**
 * Splits argv into a command, its positionals and flags. Strict: an unknown flag or a missing
 * value is a usage error (exit 2), never ignored.
 * @throws UsageError
 */
export function parseCli(argv: readonly string[]): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries([...VALUE_FLAGS.map((f) => [f, { type: 'string' as const }]), ...BOOL_FLAGS.map((f) => [f, { type: 'boolean' as const }])]),
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const [a, b, ...rest] = parsed.positionals;
  const flags = parsed.values as Flags;
  if (flags.help || a === undefined || a === 'help') return { command: 'help', positionals: [], flags };
  const two = `${a} ${b ?? ''}`.trim();
  if (two === 'catalog put') {
    if (rest.length !== 1) throw new UsageError(`catalog put takes one file\n\n${USAGE}`);
    return { command: 'catalog put', positionals: rest, flags };
  }
  if (two === 'batch run' || two === 'batch serve') {
    if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
    return { command: two, positionals: [], flags };
  }
  if (a === 'rollback') {
    const pos = b === undefined ? [] : [b, ...rest];
    if (pos.length > 1) throw new UsageError('rollback takes at most one version');
    return { command: 'rollback', positionals: pos, flags };
  }
  if (a === 'status' && b === undefined) return { command: 'status', positionals: [], flags };
  if (a === 'ope' && b === undefined) return { command: 'ope', positionals: [], flags };
  if (two === 'import dsjson') {
    if (rest.length === 0) throw new UsageError(`import dsjson takes one or more files, folders or s3:// prefixes\n\n${USAGE}`);
    return { command: 'import dsjson', positionals: rest, flags };
  }
  throw new UsageError(`unknown command: ${parsed.positionals.join(' ')}\n\n${USAGE}`);
}
