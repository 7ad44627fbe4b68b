/**
 * The batch tier's public surface, for the demo, the benchmark and tests. The CLI (cli.ts) is a
 * thin shell over these.
 */
export { main } from './cli-main.js';
export { loadConfig, parseConfig, candidatesPerUser, type BatchConfig, type BatchConfigInput, BackendChoice } from './config/config.js';
export { UsageError } from './config/errors.js';
export { parseDuration } from './config/duration.js';
export { parseRewards, DEFAULT_REWARDS, type RewardMap } from './config/rewards.js';
export { S3Store } from './store/s3-store.js';
export { runBatch, type BatchDeps } from './run/run-batch.js';
export { STEPS, runRecordKey, runMarkdown, type RunRecord, type StepName } from './run/run-record.js';
export { decidePublish, type Fingerprint, type PublishDecision } from './run/decide.js';
export { batchStatus, formatStatus, type BatchStatus } from './run/status.js';
export { putCatalog, loadCatalog } from './catalog/catalog-store.js';
export { parseCatalog, catalogNdjson } from './catalog/parse-catalog.js';
export { rollback } from './publish/rollback.js';
export { collectGarbage } from './publish/gc.js';
export type { DeploymentGate, GateInput, GateVerdict } from './publish/gate.js';
export { startBatchServer, type BatchServer } from './serve/serve.js';
export { BatchScheduler } from './serve/scheduler.js';
export { createServeApp } from './serve/app.js';
export { selectBackend, type BackendInfo } from './train/backend.js';
export { silentProgress, streamProgress, type Progress } from './util/progress.js';
