/**
 * `slatecast/client`: the typed edge client (fetch only; browsers, Workers, Node ≥ 20.3).
 */
export { SlatecastClient, type CallOptions, type EventAccepted, type EventParams, type SlateParams, type SlatecastClientOptions } from './client.js';
export { SlatecastAbortError, SlatecastApiError, SlatecastError, SlatecastNetworkError, SlatecastTimeoutError } from './errors.js';
export { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export type { SlateContext, SlateResponse } from '../shared/schemas/slate.js';
export type { EventType } from '../shared/schemas/event.js';
