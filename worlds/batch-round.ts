import { hash32 } from '../shared/rng.js';
import type { ObjectStore } from '../shared/store/object-store.js';
import { parseCli } from '../gpu-batch/cli/parse-cli.js';
import { loadConfig } from '../gpu-batch/config/config.js';
import { gateFromConfig } from '../gpu-batch/ope/ope-gate.js';
import type { DeploymentGate, GateVerdict } from '../gpu-batch/publish/gate.js';
import { runBatch } from '../gpu-batch/run/run-batch.js';
import { runRecordKey, type RunRecord } from '../gpu-batch/run/run-record.js';
import type { Progress } from '../gpu-batch/util/progress.js';
import { plantedCandidate, type PlantKind } from './plant.js';
import type { S3Server } from './sim/stack.js';

export type CandidateFiles = Readonly<Record<string, Uint8Array>>;

export interface BatchRoundOptions {
  s3: S3Server;
  store: ObjectStore;
  workDir: string;
  /** World seed: the batch tier's `--seed` is derived from it, so a world seed replays training. */
  seed: string;
  /** false: `--no-gate`. */
  gate: boolean;
  /** More `slatecast batch run` flags, passed through as typed (e.g. `--epsilon 0.1`). */
  flags: readonly string[];
  /** Offer the gate a worse copy of this round's candidate first (never published). */
  plant: boolean;
  /** Which worse copy (plant.ts); default worst-first. */
  plantKind?: PlantKind;
  progress: Progress;
}

export interface BatchRound {
  /** The run record as stored at `state/runs/<run-id>.json` (what an operator reads). */
  record: RunRecord;
  /** The candidate the gate saw (null when no gate ran). */
  candidate: { version: string; files: CandidateFiles } | null;
  /** The planted candidate and the gate's verdict on it (null when none was planted). */
  planted: { version: string; files: CandidateFiles; verdict: GateVerdict | null } | null;
}

/** The argv of `slatecast batch run` for a simulated deployment. */
export function batchArgv(o: Pick<BatchRoundOptions, 'workDir' | 'seed' | 'gate' | 'flags'>): string[] {
  return ['batch', 'run', '--quiet', '--settle', '0', '--work-dir', o.workDir, '--seed', String(hash32(`batch:${o.seed}`) & 0x7fffffff), ...(o.gate ? [] : ['--no-gate']), ...o.flags];
}

/**
 * One `slatecast batch run`, in process, through the CLI's own steps: argv parsed by `parseCli`,
 * configuration from env + flags by `loadConfig` (the object store's address and credentials come
 * in as the S3_* variables a deployment sets), then `runBatch`, which runs the deploy gate the
 * config names — what gpu-batch/cli-main.ts does for `batch run`. The same gate (`gateFromConfig`) is wrapped only to
 * observe: it records the candidate's files (to value it in the world) and, when planting, first
 * asks the same gate about a worse copy (plant.ts), whose verdict is recorded and which is never published.
 * @throws Error when the run fails, with the run's error
 */
export async function batchRound(o: BatchRoundOptions): Promise<BatchRound> {
  const cli = parseCli(batchArgv(o));
  const env = {
    ...process.env,
    S3_ENDPOINT: o.s3.endpoint,
    S3_BUCKET: o.s3.bucket,
    S3_REGION: o.s3.region,
    S3_ACCESS_KEY_ID: o.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: o.s3.secretAccessKey,
  };
  const config = loadConfig(env, cli.flags);
  const gate = gateFromConfig(config, o.progress);
  let candidate: BatchRound['candidate'] = null;
  let planted: BatchRound['planted'] = null;
  const observed: DeploymentGate | undefined = gate
    ? async (input) => {
        candidate = { version: input.candidate.version, files: input.candidate.files };
        if (o.plant && input.serving) {
          const files = plantedCandidate(o.plantKind ?? 'worst-first', input.candidate.files, config.kDefault);
          const version = `${input.candidate.version}-planted`;
          const verdict = await gate({ ...input, candidate: { ...input.candidate, version, files } });
          planted = { version, files, verdict };
        }
        return gate(input);
      }
    : undefined;
  const run = await runBatch(config, { store: o.store, progress: o.progress, ...(observed ? { gate: observed } : {}) });
  const stored = await o.store.get(runRecordKey(run.run_id));
  if (!stored) throw new Error(`run record ${runRecordKey(run.run_id)} is missing from the store`);
  const record = JSON.parse(new TextDecoder().decode(stored.body)) as RunRecord;
  if (record.status === 'failed') throw new Error(`batch run failed: ${record.error}`);
  return { record, candidate, planted };
}
