import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { BatchConfig } from '../config/config.js';
import { UsageError } from '../config/errors.js';
import { S3Store } from '../store/s3-store.js';

/** One log file's text and where it came from. */
export interface LogFile {
  name: string;
  text: string;
}

/** Files read, and the files under a folder that were passed over because of their name. */
export interface LogFiles {
  files: LogFile[];
  passedOver: string[];
}

/** File names each log format reads from a folder or prefix. */
export const LOG_EXTENSIONS = {
  ndjson: /\.(ndjson|jsonl|json)$/,
  /** Decision Service exports are `.json`; VW's own test logs are `.txt`, `.dsjson`. */
  dsjson: /\.(json|jsonl|ndjson|dsjson|txt)$/,
} as const;

/**
 * Reads log files from paths (files or folders, recursively) or one `s3://bucket/prefix`.
 * A file named on the command line is read whatever its name; inside a folder or prefix only
 * names matching `accept` are, and the others are returned in `passedOver` so the caller can say
 * so (skipping them silently hid `.txt` logs).
 * @param what the command's name, for messages
 * @throws UsageError when a path does not exist or nothing is found
 */
export async function readLogFiles(what: string, paths: readonly string[], accept: RegExp, config: BatchConfig, store: () => ObjectStore): Promise<LogFiles> {
  const passedOver: string[] = [];
  const files: LogFile[] = [];
  for (const p of paths) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(p);
    if (m) {
      files.push(...(await s3Files(m[1]!, m[2] ?? '', accept, passedOver, config, store)));
      continue;
    }
    let st;
    try {
      st = await stat(p);
    } catch {
      throw new UsageError(`${what}: ${p}: no such file or directory`);
    }
    const found: string[] = [];
    if (st.isDirectory()) {
      for (const e of await readdir(p, { withFileTypes: true, recursive: true })) {
        if (!e.isFile()) continue;
        const full = join(e.parentPath, e.name);
        if (accept.test(e.name)) found.push(full);
        else passedOver.push(full);
      }
    } else {
      found.push(p);
    }
    found.sort();
    for (const f of found) files.push({ name: f, text: await readFile(f, 'utf8') });
  }
  if (files.length === 0) throw new UsageError(`${what}: no log files under ${paths.join(' ')} (names matching ${accept.source})${passedOver.length ? `; passed over ${passedOver.slice(0, 5).join(', ')}` : ''}`);
  return { files, passedOver };
}

async function s3Files(bucket: string, prefix: string, accept: RegExp, passedOver: string[], config: BatchConfig, store: () => ObjectStore): Promise<LogFile[]> {
  const own = bucket === config.s3.bucket;
  const s = own ? store() : S3Store.fromConfig({ ...config.s3, bucket });
  try {
    const out: LogFile[] = [];
    for (const o of await s.list(prefix)) {
      if (o.key.startsWith('logs/quarantine/') || o.key.endsWith('.reason.json')) continue;
      if (!accept.test(o.key)) {
        passedOver.push(`s3://${bucket}/${o.key}`);
        continue;
      }
      const got = await s.get(o.key);
      if (got) out.push({ name: `s3://${bucket}/${o.key}`, text: new TextDecoder().decode(got.body) });
    }
    return out;
  } finally {
    if (!own && s instanceof S3Store) s.close();
  }
}
