import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { BatchConfig } from '../config/config.js';
import { UsageError } from '../config/errors.js';
import { S3Store } from '../store/s3-store.js';

/** One log file's text and where it came from. */
export interface LogFile {
  name: string;
  text: string;
}

/** A log file not read yet: its lines come one at a time, so a large export never sits in memory whole. */
export interface LogSource {
  name: string;
  lines(): AsyncIterable<string>;
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
 * Finds log files in paths (files or folders, recursively) or `s3://bucket/prefix`es.
 * A file named on the command line is taken whatever its name; inside a folder or prefix only
 * names matching `accept` are, and the others are returned in `passedOver` so the caller can say
 * so (skipping them silently hid `.txt` logs).
 * @param what the command's name, for messages
 * @throws UsageError when a path does not exist or nothing is found
 */
export async function listLogSources(what: string, paths: readonly string[], accept: RegExp, config: BatchConfig, store: () => ObjectStore): Promise<{ sources: LogSource[]; passedOver: string[] }> {
  const passedOver: string[] = [];
  const sources: LogSource[] = [];
  for (const p of paths) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(p);
    if (m) {
      sources.push(...(await s3Sources(m[1]!, m[2] ?? '', accept, passedOver, config, store)));
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
    for (const f of found) sources.push({ name: f, lines: () => createInterface({ input: createReadStream(f, 'utf8'), crlfDelay: Infinity }) });
  }
  if (sources.length === 0) throw new UsageError(`${what}: no log files under ${paths.join(' ')} (names matching ${accept.source})${passedOver.length ? `; passed over ${passedOver.slice(0, 5).join(', ')}` : ''}`);
  return { sources, passedOver };
}

/** `listLogSources`, each file read whole (for commands that need every record in memory anyway). */
export async function readLogFiles(what: string, paths: readonly string[], accept: RegExp, config: BatchConfig, store: () => ObjectStore): Promise<LogFiles> {
  const { sources, passedOver } = await listLogSources(what, paths, accept, config, store);
  const files: LogFile[] = [];
  for (const src of sources) {
    const lines: string[] = [];
    for await (const line of src.lines()) lines.push(line);
    files.push({ name: src.name, text: lines.join('\n') });
  }
  return { files, passedOver };
}

async function s3Sources(bucket: string, prefix: string, accept: RegExp, passedOver: string[], config: BatchConfig, store: () => ObjectStore): Promise<LogSource[]> {
  const own = bucket === config.s3.bucket;
  const s = own ? store() : S3Store.fromConfig({ ...config.s3, bucket });
  const keys: string[] = [];
  try {
    for (const o of await s.list(prefix)) {
      if (o.key.startsWith('logs/quarantine/') || o.key.endsWith('.reason.json')) continue;
      if (accept.test(o.key)) keys.push(o.key);
      else passedOver.push(`s3://${bucket}/${o.key}`);
    }
  } finally {
    if (!own && s instanceof S3Store) s.close();
  }
  return keys.map((key) => ({
    name: `s3://${bucket}/${key}`,
    async *lines() {
      const c = own ? store() : S3Store.fromConfig({ ...config.s3, bucket });
      try {
        const got = await c.get(key);
        if (got) yield* new TextDecoder().decode(got.body).split('\n');
      } finally {
        if (!own && c instanceof S3Store) c.close();
      }
    },
  }));
}
