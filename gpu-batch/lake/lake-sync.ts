import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { LogKind } from './columns.js';
import { mapPool } from '../util/pool.js';
import type { Progress } from '../util/progress.js';
import { lakePrefix } from './lake-paths.js';

/** One Parquet part, in the store and in the local mirror. */
export interface LakePart {
  key: string;
  path: string;
  size: number;
}

/**
 * Makes `<localRoot>/<kind>/…` an exact mirror of `lake/<kind>/…` in the store: downloads parts
 * it lacks, deletes local parts the store lacks (left by a run that died before uploading). The
 * store is the source of truth, so a fresh machine or a wiped work dir recovers by itself.
 * @returns the parts, sorted by key
 */
export async function syncLake(store: ObjectStore, kind: LogKind, localRoot: string, progress: Progress): Promise<LakePart[]> {
  const prefix = lakePrefix(kind);
  const listed = (await store.list(prefix)).filter((o) => o.key.endsWith('.parquet'));
  const dir = join(localRoot, kind);
  await mkdir(dir, { recursive: true });
  const local = new Map((await walk(dir)).map((f) => [relative(dir, f.path).split(sep).join('/'), f]));
  const parts: LakePart[] = listed.map((o) => ({ key: o.key, path: join(dir, ...o.key.slice(prefix.length).split('/')), size: o.size }));
  const missing = parts.filter((p) => local.get(p.key.slice(prefix.length))?.size !== p.size);
  let done = 0;
  await mapPool(missing, 8, async (p) => {
    const o = await store.get(p.key);
    if (!o) throw new Error(`lake part ${p.key} vanished while syncing`);
    await mkdir(dirname(p.path), { recursive: true });
    await writeFile(p.path, o.body);
    progress.bar(`sync lake/${kind}`, ++done, missing.length);
  });
  const wanted = new Set(parts.map((p) => p.key.slice(prefix.length)));
  for (const [rel, f] of local) if (!wanted.has(rel)) await rm(f.path, { force: true });
  return parts;
}

/** @returns every file under `dir` with its size */
export async function walk(dir: string): Promise<Array<{ path: string; size: number }>> {
  const out: Array<{ path: string; size: number }> = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw e;
  }
  for (const e of entries) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    out.push({ path, size: (await stat(path)).size });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}
