/** Off-policy estimators, the deploy gate, epsilon choice, DSJSON and target policies: pure. */
export * from './types.js';
export { ips, ipsTerms, weights } from './ips.js';
export { clippedIps, clippedIpsTerms } from './clipped-ips.js';
export { snips, snipsTerms } from './snips.js';
export { directMethod, directMethodTerms } from './direct-method.js';
export { doublyRobust, doublyRobustTerms } from './doubly-robust.js';
export { slateIps, slateIpsTerms, type SlateIpsOptions } from './slate-ips.js';
export { slateDr, slateDrTerms, type SlateDrOptions, type SlateModelData } from './slate-dr.js';
export { fitItemPositionModel, crossFitModels, predictReward, type ItemPositionModel, type ModelSlate } from './item-position-model.js';
export { difference, slateDifference } from './difference.js';
export { gateDecision, type GateDecision, type GateOverride } from './gate.js';
export { estimateFromTerms, differenceFromTerms, normalQuantile, kishEss } from './interval.js';
export { chooseEpsilon, type ChooseEpsilonOptions, type EpsilonChoice, type EpsilonCandidate, type ExplorationLog } from './choose-epsilon.js';
export { LoggedSlate, fromImpression, toSlateData } from './logged-slate.js';
export { TargetPolicy, targetPolicyProbability } from './target-policy.js';
export { toDsjson, toDsjsonLine, fromDsjson, decisionSlate, SKIP_TEXT, type DsjsonCcbLine } from './dsjson.js';
export { readDsjsonLine, DSJSON_SKIP_REASONS, type DsjsonLine, type DsjsonDecision, type DsjsonSlot, type DsjsonSkipReason, type DsjsonReadOptions } from './dsjson-line.js';
export { actionIds, rawActionId, ITEM_ID_MAX, type ActionIds } from './dsjson-action-id.js';
