/** `slatecast import dsjson`: Decision Service (Personalizer) logs as training logs. */
export { importDsjsonCommand, type ImportResult } from './import-command.js';
export { readDsjsonFiles, formatDsjsonCounts, type DsjsonCounts } from './read-dsjson.js';
export { decisionRecords, contextKey, type DecisionRecords, type RecordOptions } from './to-records.js';
