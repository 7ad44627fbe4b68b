import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ListedObject, ObjectStore } from '../../shared/store/object-store.js';
import type { Progress } from '../util/progress.js';
import { mapPool } from '../util/pool.js';
import { quarantineObject, type Quarantined } from './quarantine.js';
import { checkLogObject, type LogKind } from './validate-log.js';

/** What landed in the local inbox. */
export interface Downloaded {
  /** Local NDJSON paths (decompressed), in key order. */
  files: string[];
  records: number;
  bytes: number;
  quarantined: Quarantined[];
  /** Listed objects that were gone by the time we fetched them (another run quarantined them …). */
  vanished: string[];
}

/**
 * Downloads log objects into `dir`, checking each; bad ones are quarantined, not fatal.
 * Downloading (rather than querying the bucket in place) is the design: DuckDB here has no
 * httpfs, and local copies make the DuckDB step repeatable and independent of the network.
 */
export async function downloadLogs(
  store: ObjectStore,
  objects: readonly ListedObject[],
  kind: LogKind,
  dir: string,
  opts: { now: number; progress: Progress },
): Promise<Downloaded> {
  await mkdir(dir, { recursive: true });
  const result: Downloaded = { files: [], records: 0, bytes: 0, quarantined: [], vanished: [] };
  let done = 0;
  const files = await mapPool(objects, 8, async (o, i) => {
    const got = await store.get(o.key);
    opts.progress.bar(`download ${kind}`, ++done, objects.length);
    if (!got) {
      result.vanished.push(o.key);
      return null;
    }
    result.bytes += got.body.byteLength;
    let body = got.body;
    if (o.key.endsWith('.gz')) {
      try {
        body = gunzipSync(got.body);
      } catch {
        result.quarantined.push(await quarantineObject(store, o.key, got.body, 'not valid gzip', opts.now));
        return null;
      }
    }
    const check = checkLogObject(body, kind);
    if (!check.ok) {
      opts.progress.warn(`quarantining ${o.key}: ${check.reason}`);
      result.quarantined.push(await quarantineObject(store, o.key, got.body, check.reason, opts.now));
      return null;
    }
    result.records += check.records;
    const path = join(dir, `${String(i).padStart(6, '0')}.ndjson`);
    await writeFile(path, body);
    return path;
  });
  result.files = files.filter((f): f is string => f !== null);
  return result;
}
