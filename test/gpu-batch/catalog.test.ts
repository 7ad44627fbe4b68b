import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOG_KEY } from '../../shared/artifact/paths.js';
import { MemoryStore } from '../../shared/store/memory-store.js';
import { loadCatalog, putCatalog } from '../../gpu-batch/catalog/catalog-store.js';
import { parseCatalog } from '../../gpu-batch/catalog/parse-catalog.js';
import { UsageError } from '../../gpu-batch/config/errors.js';

const item = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ id, title: `T ${id}`, tags: ['a'], created_at: '2026-01-01T00:00:00Z', ...extra });

describe('parseCatalog', () => {
  it('fills defaults and keeps file order', () => {
    const r = parseCatalog(`${item('b')}\n\n${JSON.stringify({ id: 'a', created_at: '2026-01-02T00:00:00+01:00' })}\n`);
    expect(r).toEqual({ ok: true, items: [{ id: 'b', title: 'T b', text: '', tags: ['a'], created_at: '2026-01-01T00:00:00Z' }, { id: 'a', title: '', text: '', tags: [], created_at: '2026-01-02T00:00:00+01:00' }] });
  });

  it('reports every bad line by number', () => {
    const text = [item('a'), '{not json', item('b', { created_at: 'yesterday' }), item('a'), item('c', { colour: 'red' }), item('', {}), item('d')].join('\n');
    const r = parseCatalog(text);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      { line: 2, message: 'not valid JSON' },
      { line: 3, message: 'created_at: Invalid ISO datetime' },
      { line: 4, message: 'duplicate id "a" (first on line 1)' },
      { line: 5, message: '(item): Unrecognized key: "colour"' },
      { line: 6, message: 'id: Too small: expected string to have >=1 characters' },
    ]);
  });
});

describe('putCatalog', () => {
  let dir: string;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uploads nothing when any line is bad, and everything when all are good', async () => {
    dir = await mkdtemp(join(tmpdir(), 'catalog-'));
    const store = new MemoryStore();
    const bad = join(dir, 'bad.ndjson');
    await writeFile(bad, `${item('a')}\n${item('b', { tags: 'oops' })}\n`);
    await expect(putCatalog(store, bad)).rejects.toThrow(new UsageError(`catalog ${bad} rejected, nothing uploaded:\n  line 2: tags: Invalid input: expected array, received string`));
    expect(await store.get(CATALOG_KEY)).toBeNull();
    await expect(putCatalog(store, join(dir, 'missing.ndjson'))).rejects.toBeInstanceOf(UsageError);

    const good = join(dir, 'good.ndjson');
    await writeFile(good, `${item('a')}\n${item('b')}\n`);
    const r = await putCatalog(store, good);
    expect(r.items).toBe(2);
    const loaded = await loadCatalog(store, () => {});
    expect(loaded.items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(loaded.sha256).toBe(r.sha256);
  });

  it('loads a hand-edited catalog by skipping bad lines with a warning', async () => {
    const store = new MemoryStore();
    await store.put(CATALOG_KEY, `${item('a')}\n{oops\n${item('b')}\n`);
    const warnings: string[] = [];
    const loaded = await loadCatalog(store, (m) => warnings.push(m));
    expect(loaded.items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(warnings).toEqual(['catalog/items.ndjson line 2: not valid JSON (skipped)']);
  });
});
