/** Off-policy evaluation in the batch tier: the deploy gate, epsilon per surface, `slatecast ope`. */
export { readLakeSlates, type LoggedImpression, type ReadSlatesOptions } from './lake-slates.js';
export { VersionTarget, slateLog, OPE_MAX_REPLAYS } from './policy-view.js';
export { opeGate, compareVersions, gateFromConfig, GATE_DEFAULTS, type OpeGateOptions, type OpeGateVerdict } from './ope-gate.js';
export { chooseSurfaceEpsilons, EPSILON_GRID, type SurfaceEpsilonRecord } from './epsilon.js';
export { evaluateTarget, formatTable, DR_PRIOR_COUNT, type OpeRow, type TargetTables } from './evaluate.js';
export { opeCommand, type OpeCommandResult } from './ope-command.js';
