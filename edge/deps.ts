import { BoundedMap } from '../shared/bounded-map.js';
import { ArtifactCache } from './artifact/artifact-cache.js';
import { IsolateMatrix } from './candidates/wasm-step.js';
import { LogBuffer } from './queue/log-buffer.js';
import { UserKeyCache } from './user-key-cache.js';

/** Enough to answer a client's retries of recent events; older duplicates are the batch tier's. */
const RECENT_EVENT_IDS_MAX = 10_000;

/**
 * What the edge app keeps between requests. The Worker builds one per isolate (module scope is
 * per isolate in Workers), so these live as long as the isolate and its requests share them;
 * a test builds its own, so no test depends on what another left behind.
 */
export interface EdgeDeps {
  /** The serving artifact version, refreshed in the background. */
  artifactCache: ArtifactCache;
  /** The wasm scorer and the item matrix it holds. */
  matrix: IsolateMatrix;
  /** Recently accepted event ids: answers duplicates without re-queueing (best effort). */
  recentEventIds: BoundedMap<string, true>;
  /** Impression records waiting to be sent to the log queue in one batch. */
  impressionLog: LogBuffer;
  /** user id → salted user key, so returning users cost one HMAC (the token's) per slate, not two. */
  userKeys: UserKeyCache;
}

/** Fresh production state: empty caches. */
export function defaultDeps(): EdgeDeps {
  return {
    artifactCache: new ArtifactCache(),
    matrix: new IsolateMatrix(),
    recentEventIds: new BoundedMap(RECENT_EVENT_IDS_MAX),
    impressionLog: new LogBuffer(),
    userKeys: new UserKeyCache(),
  };
}
