import { ArtifactCache } from './artifact/artifact-cache.js';
import { LogBuffer } from './queue/log-buffer.js';
import { UserKeyCache } from './user-key-cache.js';

/**
 * Per-isolate state: the artifact cache, buffers and memos. Module scope is per isolate in
 * Workers, so this lives as long as the isolate and is shared by its requests.
 */
export const artifactCache = new ArtifactCache();

/** Recently accepted event ids: answers duplicates without re-queueing (best effort, per isolate). */
export const recentEventIds = new Set<string>();
export const RECENT_EVENT_IDS_MAX = 10_000;

/** Impression records waiting to be sent to the log queue in one batch. */
export const impressionLog = new LogBuffer();

/** user id → salted user key, so returning users cost one HMAC (the token's) per slate, not two. */
export const userKeys = new UserKeyCache();
