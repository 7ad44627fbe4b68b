import { ArtifactError, readManifest, readPointer, readVerifiedJson } from '../../shared/artifact/verify.js';
import { shardFile, shardOf } from '../../shared/artifact/paths.js';
import { Policy, UserSlateShard, type Manifest } from '../../shared/schemas/artifact.js';
import { PosteriorsFile } from '../../shared/schemas/posteriors.js';
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

export interface CacheTimes {
  /** After this long the pointer is re-read (in the background when a version is cached). */
  ttlMs: number;
  /** After this long without a successful pointer read, stop serving the cached version. */
  hardTtlMs: number;
}

export interface Health {
  version: string | null;
  loadedAt: number | null;
  createdAt: number | null;
  lastCheckOkAt: number | null;
  lastError: { at: number; message: string } | null;
  refusedVersion: string | null;
}

const SHARD_CACHE_ENTRIES = 256;

/**
 * Per-isolate cache of the serving artifact version. Reads `artifacts/CURRENT` at most once per
 * TTL, refreshes in the background while serving what it has (stale-while-revalidate), verifies
 * every file's checksum, refuses a broken version and keeps serving the last good one. A version
 * whose user shard fails verification later is refused too and the previous version comes back.
 */
export class ArtifactCache {
  private current: Loaded | null = null;
  private previous: Loaded | null = null;
  private lastCheckAt = 0;
  private lastCheckOkAt: number | null = null;
  private lastError: Health['lastError'] = null;
  private refused = new Set<string>();
  private refreshing: Promise<void> | null = null;
  private readonly shards = new Map<string, Promise<UserSlateShard>>();
  private posteriorsOf: { version: string; map: Promise<ReadonlyMap<string, BetaPosterior>> } | null = null;

  constructor(
    private readonly info: (msg: string) => void = (m) => console.log(m),
    private readonly warn: (msg: string) => void = (m) => console.warn(m),
  ) {}

  /**
   * The version to serve now.
   * @param background schedules work that may finish after the response (ctx.waitUntil)
   * @throws NoArtifactError when nothing was ever published
   * @throws ArtifactUnavailableError when the store has been unreachable past the hard TTL
   */
  async get(store: ObjectStore, now: number, times: CacheTimes, background: (p: Promise<unknown>) => void): Promise<Loaded> {
    if (!this.current) {
      await this.refresh(store, now);
      if (!this.current) {
        if (this.lastError && this.lastCheckOkAt === null) throw new ArtifactUnavailableError(`artifact store unreachable: ${this.lastError.message}`);
        throw new NoArtifactError('no artifact version has been published yet');
      }
      return this.current;
    }
    if (now - this.lastCheckAt >= times.ttlMs) background(this.refresh(store, now));
    const okAt = this.lastCheckOkAt ?? this.current.loadedAt;
    if (now - okAt > times.hardTtlMs) throw new ArtifactUnavailableError(`artifact store unreachable for ${Math.round((now - okAt) / 1000)} s (hard TTL ${times.hardTtlMs / 1000} s)`);
    return this.current;
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
    let pointer;
    try {
      pointer = (await readPointer(store))?.pointer ?? null;
    } catch (e) {
      this.fail(now, `reading artifacts/CURRENT: ${message(e)}`);
      return;
    }
    this.lastCheckOkAt = now;
    if (!pointer || pointer.version === this.current?.version || this.refused.has(pointer.version)) return;
    try {
      const manifest = await readManifest(store, pointer.version, pointer.manifest_sha256);
      const policy = await readVerifiedJson(store, manifest, 'policy.json', Policy);
      this.previous = this.current;
      this.current = { version: pointer.version, manifest, policy, loadedAt: now };
      this.info(`slatecast: serving artifact ${pointer.version}`);
    } catch (e) {
      // A bad checksum or schema is permanent for an immutable version; a network error is not.
      if (e instanceof ArtifactError) {
        this.refused.add(pointer.version);
        this.fail(now, `refused version ${pointer.version}: ${message(e)}`);
      } else {
        this.fail(now, `loading version ${pointer.version}: ${message(e)}`);
      }
    }
  }

  /**
   * A user's cached candidates from the version being served, or null when the user has none.
   * A shard that fails verification gets its version refused: the previous good version (if
   * any) serves again, and this request falls through to the next scorer.
   */
  async userCandidates(store: ObjectStore, loaded: Loaded, userKey: string, now: number): Promise<{ items: string[]; scores: number[]; n?: number } | null> {
    const shard = shardOf(userKey, loaded.manifest.shards);
    const file = shardFile(shard);
    if (!(file in loaded.manifest.files)) return null;
    const key = `${loaded.version}/${shard}`;
    let p = this.shards.get(key);
    if (!p) {
      p = readVerifiedJson(store, loaded.manifest, file, UserSlateShard);
      this.shards.set(key, p);
      if (this.shards.size > SHARD_CACHE_ENTRIES) this.shards.delete(this.shards.keys().next().value!);
    }
    try {
      return (await p).users[userKey] ?? null;
    } catch (e) {
      this.shards.delete(key);
      this.fileFailed(loaded, now, file, e);
      return null;
    }
  }

  /**
   * Per-item reward posteriors of the serving version (`posteriors.json`), loaded once per version
   * and only for strategies that read them (Thompson, UCB). Empty when the version has none.
   */
  async posteriors(store: ObjectStore, loaded: Loaded, now: number): Promise<ReadonlyMap<string, BetaPosterior>> {
    if (!('posteriors.json' in loaded.manifest.files)) return new Map();
    if (this.posteriorsOf?.version !== loaded.version) {
      const map = readVerifiedJson(store, loaded.manifest, 'posteriors.json', PosteriorsFile).then((f) => new Map(f.ids.map((id, i) => [id, { alpha: f.alpha[i]!, beta: f.beta[i]! }])));
      this.posteriorsOf = { version: loaded.version, map };
    }
    try {
      return await this.posteriorsOf.map;
    } catch (e) {
      this.posteriorsOf = null;
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
    else this.fail(now, `reading ${file} of ${loaded.version}: ${message(e)}`);
  }

  private refuseLoaded(loaded: Loaded, now: number, why: string): void {
    this.refused.add(loaded.version);
    this.fail(now, `refused version ${loaded.version}: ${why}`);
    if (this.current?.version === loaded.version && this.previous) {
      this.current = this.previous;
      this.previous = null;
      this.warn(`slatecast: back to artifact ${this.current.version}`);
    }
  }

  private fail(now: number, msg: string): void {
    this.lastError = { at: now, message: msg };
    this.warn(`slatecast: ${msg}`);
  }

  health(): Health {
    return {
      version: this.current?.version ?? null,
      loadedAt: this.current?.loadedAt ?? null,
      createdAt: this.current?.manifest.created_at ?? null,
      lastCheckOkAt: this.lastCheckOkAt,
      lastError: this.lastError,
      refusedVersion: [...this.refused].at(-1) ?? null,
    };
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
