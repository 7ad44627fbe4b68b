import { inCanary } from '../../shared/artifact/canary.js';
import { firstVerified, pointerChain } from '../../shared/artifact/history.js';
import { BoundedMap } from '../../shared/bounded-map.js';
import { ArtifactError, readManifest, readPointerState, readVerifiedJson } from '../../shared/artifact/verify.js';
import { shardFile, shardOf } from '../../shared/artifact/paths.js';
import { ownValue } from '../../shared/own-key.js';
import { Policy, UserSlateShard, type Canary, type Manifest, type PointerEntry } from '../../shared/schemas/artifact.js';
import { PosteriorsFile } from '../../shared/schemas/posteriors.js';
import { posteriorMap } from '../../shared/serving/posterior-map.js';
import type { BetaPosterior } from '../../shared/explore/types.js';
import type { ObjectStore } from '../../shared/store/object-store.js';

/** One loaded, verified artifact version. */
export interface Loaded {
  version: string;
  manifest: Manifest;
  policy: Policy;
  /** Isolate time at which this version was loaded. */
  loadedAt: number;
}

/** Nothing has ever been published: the edge cannot serve yet. */
export class NoArtifactError extends Error {
  override name = 'NoArtifactError';
}

/** The store has been unreachable for longer than the hard TTL and nothing may be served. */
export class ArtifactUnavailableError extends Error {
  override name = 'ArtifactUnavailableError';
}

/** The store answers, but neither CURRENT nor any version in its history passes verification. */
export class NoVerifiedVersionError extends Error {
  override name = 'NoVerifiedVersionError';
}

export interface CacheTimes {
  /** After this long the pointer is re-read (in the background when a version is cached). */
  ttlMs: number;
  /** After this long without a successful pointer read, stop serving the cached version. */
  hardTtlMs: number;
}

/** What keeps the edge from serving exactly what CURRENT names, in words fit for `/healthz`. */
export interface Problem {
  code: 'store_unreachable' | 'bad_pointer' | 'version_refused';
  message: string;
  since: number;
}

export interface Health {
  version: string | null;
  /** The version CURRENT named at the last good read (null: none, or CURRENT unreadable). */
  pointerVersion: string | null;
  loadedAt: number | null;
  createdAt: number | null;
  lastCheckOkAt: number | null;
  /** The problem now, or null when the last check found CURRENT's version serving. */
  problem: Problem | null;
  lastError: { at: number; code: Problem['code']; message: string } | null;
  refusedVersion: string | null;
  /** The canary serving beside the version, when CURRENT names one that verifies. */
  canary: { version: string; share: number; startedAt: number } | null;
}

const SHARD_CACHE_ENTRIES = 256;
/** While the store fails, retry this often rather than once per TTL, so recovery shows at once. */
const RETRY_AFTER_FAILURE_MS = 1000;

/**
 * Per-isolate cache of the serving artifact version. Reads `artifacts/CURRENT` at most once per
 * TTL, refreshes in the background while serving what it has (stale-while-revalidate), verifies
 * every file's checksum and refuses a broken version. A refused version sends it down the
 * pointer's history to the newest version that verifies — also on a cold start, when nothing is
 * cached yet — and a version whose user shard fails later is refused the same way. A pointer that
 * does not parse is a bad pointer, not an outage: the cached version keeps serving.
 */
export class ArtifactCache {
  private current: Loaded | null = null;
  private previous: Loaded | null = null;
  /** The canary CURRENT names, loaded and verified (null: none, or it failed). */
  private canary: { entry: Canary; loaded: Loaded } | null = null;
  private lastCheckAt = 0;
  private lastCheckOkAt: number | null = null;
  private lastCheckFailed = false;
  private pointerVersion: string | null = null;
  private pointerKind: 'none' | 'ok' | 'bad' | null = null;
  private problem: Problem | null = null;
  private lastError: Health['lastError'] = null;
  private readonly refused = new Map<string, string>();
  private refreshing: Promise<void> | null = null;
  private readonly shards = new BoundedMap<string, Promise<UserSlateShard>>(SHARD_CACHE_ENTRIES);
  /** By version: the serving version's and a canary's (two versions serve at once). */
  private readonly posteriorMaps = new BoundedMap<string, Promise<ReadonlyMap<string, BetaPosterior>>>(2);

  constructor(
    private readonly info: (msg: string) => void = (m) => console.log(m),
    private readonly warn: (msg: string) => void = (m) => console.warn(m),
  ) {}

  /**
   * The version to serve now.
   * @param background schedules work that may finish after the response (ctx.waitUntil)
   * @throws NoArtifactError when nothing was ever published
   * @throws NoVerifiedVersionError when CURRENT is bad or nothing it vouches for verifies
   * @throws ArtifactUnavailableError when the store has been unreachable past the hard TTL
   */
  async get(store: ObjectStore, now: number, times: CacheTimes, background: (p: Promise<unknown>) => void): Promise<Loaded> {
    if (!this.current) {
      await this.refresh(store, now);
      if (this.current) return this.current;
      if (this.lastCheckFailed) throw new ArtifactUnavailableError('artifact store unreachable');
      if (this.pointerKind === 'none') throw new NoArtifactError('no artifact version has been published yet');
      throw new NoVerifiedVersionError(this.problem?.message ?? 'no published version passes verification');
    }
    if (this.due(now, times)) background(this.refresh(store, now));
    const okAt = this.lastCheckOkAt ?? this.current.loadedAt;
    if (now - okAt > times.hardTtlMs) throw new ArtifactUnavailableError(`artifact store unreachable for ${Math.round((now - okAt) / 1000)} s (hard TTL ${times.hardTtlMs / 1000} s)`);
    return this.current;
  }

  /**
   * The version served now (null before the first load). A request that loaded an older one is
   * still in flight: the wasm step never restarts that version's matrix load over this one's.
   */
  get servingVersion(): string | null {
    return this.current?.version ?? null;
  }

  /** The canary's version while one serves beside the serving version (null otherwise). */
  get canaryVersion(): string | null {
    return this.canary?.loaded.version ?? null;
  }

  /**
   * The version a user is served: the canary's for the users in its share (`inCanary`), else
   * `serving` (what `get` returned).
   */
  forUser(serving: Loaded, userKey: string): Loaded {
    const c = this.canary;
    return c && inCanary(userKey, c.entry) ? c.loaded : serving;
  }

  /** Whether the pointer should be read again: the TTL passed, or the last read failed a while ago. */
  due(now: number, times: CacheTimes): boolean {
    const wait = this.lastCheckFailed || this.problem?.code === 'store_unreachable' ? Math.min(times.ttlMs, RETRY_AFTER_FAILURE_MS) : times.ttlMs;
    return now - this.lastCheckAt >= wait;
  }

  /** Re-reads the pointer; loads and verifies a new version. Never throws; one at a time. */
  refresh(store: ObjectStore, now: number): Promise<void> {
    this.refreshing ??= this.doRefresh(store, now).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(store: ObjectStore, now: number): Promise<void> {
    this.lastCheckAt = now;
    let state;
    try {
      state = await readPointerState(store);
    } catch (e) {
      this.storeFailed(now, 'reading artifacts/CURRENT', e);
      return;
    }
    this.lastCheckOkAt = now;
    this.lastCheckFailed = false;
    this.pointerKind = state.kind;
    if (state.kind === 'none') {
      this.pointerVersion = null;
      this.problem = null;
      return;
    }
    if (state.kind === 'bad') {
      this.pointerVersion = null;
      this.report(now, 'bad_pointer', `${state.reason}; ${this.current ? `still serving ${this.current.version}` : 'nothing to serve'}`);
      return;
    }
    const head = state.pointer.version;
    this.pointerVersion = head;
    const chain = pointerChain(state.pointer);
    let walk;
    try {
      walk = await firstVerified(chain, (e) => (e.version === this.current?.version ? Promise.resolve(this.current) : this.load(store, e, now)), (e) => this.refused.has(e.version));
    } catch (e) {
      this.storeFailed(now, `loading version ${head}`, e);
      return;
    }
    for (const r of walk.refused) this.refuse(now, r.version, r.reason);
    const found = walk.found?.value ?? null;
    if (found && found !== this.current) {
      this.previous = this.current;
      this.current = found;
      this.info(`slatecast: serving artifact ${found.version}${found.version === head ? '' : ` (CURRENT names ${head}, which failed verification)`}`);
    }
    await this.refreshCanary(store, state.pointer.canary, now);
    this.problem = null;
    if (this.refused.has(head)) {
      this.report(now, 'version_refused', `refused version ${head} named by CURRENT: ${this.refused.get(head)}; ${this.current ? `serving ${this.current.version}` : 'no version in its history verifies'}`);
    }
  }

  /**
   * Loads the canary CURRENT names beside its version. A canary that fails verification is
   * refused and its users get the serving version; a store error leaves them there until the
   * next check (never an outage of the serving version).
   */
  private async refreshCanary(store: ObjectStore, entry: Canary | undefined, now: number): Promise<void> {
    if (!entry || this.refused.has(entry.version)) {
      this.setCanary(null);
      return;
    }
    if (this.canary?.loaded.version === entry.version) {
      this.canary = { entry, loaded: this.canary.loaded };
      return;
    }
    try {
      this.setCanary({ entry, loaded: await this.load(store, entry, now) });
    } catch (e) {
      this.setCanary(null);
      if (e instanceof ArtifactError) this.refuse(now, entry.version, message(e));
      else this.storeFailed(now, `loading canary ${entry.version}`, e, false);
    }
  }

  private setCanary(c: { entry: Canary; loaded: Loaded } | null): void {
    if (c?.loaded.version !== this.canary?.loaded.version) {
      this.info(c ? `slatecast: canary ${c.entry.version} serves ${Math.round(c.entry.share * 100)}% of users` : `slatecast: canary ${this.canary!.loaded.version} ended`);
    }
    this.canary = c;
  }

  /** Loads and verifies one version's manifest and policy. */
  private async load(store: ObjectStore, e: PointerEntry, now: number): Promise<Loaded> {
    const manifest = await readManifest(store, e.version, e.manifest_sha256);
    const policy = await readVerifiedJson(store, manifest, 'policy.json', Policy);
    return { version: e.version, manifest, policy, loadedAt: now };
  }

  /**
   * A user's cached candidates from the version being served, or null when the user has none.
   * A shard that fails verification gets its version refused: the previous good version (if
   * any) serves again, and this request falls through to the next scorer.
   */
  async userCandidates(store: ObjectStore, loaded: Loaded, userKey: string, now: number): Promise<{ items: string[]; scores: number[]; n?: number } | null> {
    const shard = shardOf(userKey, loaded.manifest.shards);
    const file = shardFile(shard);
    if (!Object.hasOwn(loaded.manifest.files, file)) return null;
    const key = `${loaded.version}/${shard}`;
    let p = this.shards.get(key);
    if (!p) {
      p = readVerifiedJson(store, loaded.manifest, file, UserSlateShard);
      this.shards.set(key, p);
    }
    try {
      return ownValue((await p).users, userKey) ?? null;
    } catch (e) {
      this.shards.delete(key);
      this.fileFailed(loaded, now, file, e);
      return null;
    }
  }

  /**
   * Per-item reward posteriors of the serving version (`posteriors.json`), loaded once per version
   * and only for strategies that declare them (`Strategy.inputs`). Empty when the version has none.
   */
  async posteriors(store: ObjectStore, loaded: Loaded, now: number): Promise<ReadonlyMap<string, BetaPosterior>> {
    if (!Object.hasOwn(loaded.manifest.files, 'posteriors.json')) return new Map();
    let map = this.posteriorMaps.get(loaded.version);
    if (!map) {
      map = readVerifiedJson(store, loaded.manifest, 'posteriors.json', PosteriorsFile).then(posteriorMap);
      this.posteriorMaps.set(loaded.version, map);
    }
    try {
      return await map;
    } catch (e) {
      this.posteriorMaps.delete(loaded.version);
      this.fileFailed(loaded, now, 'posteriors.json', e);
      return new Map();
    }
  }

  /**
   * A file of a loaded version could not be read: a checksum or schema failure refuses the version
   * (the previous good one serves again); anything else is recorded and retried later.
   */
  fileFailed(loaded: Loaded, now: number, file: string, e: unknown): void {
    if (e instanceof ArtifactError) this.refuseLoaded(loaded, now, `${file}: ${message(e)}`);
    else this.storeFailed(now, `reading ${file} of ${loaded.version}`, e, false);
  }

  private refuseLoaded(loaded: Loaded, now: number, why: string): void {
    this.refuse(now, loaded.version, why);
    if (loaded.version === this.pointerVersion) this.report(now, 'version_refused', `refused version ${loaded.version} named by CURRENT: ${why}`);
    if (this.canary?.loaded.version === loaded.version) this.setCanary(null);
    if (this.current?.version !== loaded.version) return;
    if (this.previous) {
      this.current = this.previous;
      this.previous = null;
      this.warn(`slatecast: back to artifact ${this.current.version}`);
    } else {
      // Nothing older in memory (a cold start): the next request walks the pointer's history.
      this.lastCheckAt = 0;
    }
  }

  private refuse(now: number, version: string, why: string): void {
    if (this.refused.has(version)) return;
    this.refused.set(version, why);
    this.lastError = { at: now, code: 'version_refused', message: `refused version ${version}: ${why}` };
    this.warn(`slatecast: refused version ${version}: ${why}`);
  }

  private report(now: number, code: Problem['code'], msg: string): void {
    this.problem = { code, message: msg, since: this.problem?.code === code ? this.problem.since : now };
    this.lastError = { at: now, code, message: msg };
    this.warn(`slatecast: ${msg}`);
  }

  /**
   * The store failed. The full error goes to the log; `/healthz` gets a summary without the
   * internals (addresses, S3 XML, stack text).
   * @param check whether this was the pointer check (it then counts toward the hard TTL)
   */
  private storeFailed(now: number, what: string, e: unknown, check = true): void {
    this.warn(`slatecast: ${what}: ${message(e)}`);
    if (check) this.lastCheckFailed = true;
    const status = (e as { status?: unknown }).status;
    const summary = typeof status === 'number' ? `artifact store answered HTTP ${status}` : 'artifact store unreachable';
    this.problem = { code: 'store_unreachable', message: summary, since: this.problem?.code === 'store_unreachable' ? this.problem.since : now };
    this.lastError = { at: now, code: 'store_unreachable', message: summary };
  }

  health(): Health {
    return {
      version: this.current?.version ?? null,
      pointerVersion: this.pointerVersion,
      loadedAt: this.current?.loadedAt ?? null,
      createdAt: this.current?.manifest.created_at ?? null,
      lastCheckOkAt: this.lastCheckOkAt,
      problem: this.problem,
      lastError: this.lastError,
      refusedVersion: [...this.refused.keys()].at(-1) ?? null,
      canary: this.canary ? { version: this.canary.loaded.version, share: this.canary.entry.share, startedAt: this.canary.entry.started_at } : null,
    };
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
