import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../gpu-batch/dataset/build-dataset.js';
import { MAX_ABOVE, readExaminationCells, readItemPositionStats, readSlateSlots } from '../../gpu-batch/dataset/read-dataset.js';
import { EVENT_COLUMNS, IMPRESSION_COLUMNS } from '../../gpu-batch/lake/columns.js';
import { pathList, withDuck } from '../../gpu-batch/lake/duck.js';
import { seedFromString, xoshiro128ss } from '../../shared/rng.js';
import { slateCells, type CellSlot, type ExaminationCell } from '../../shared/ope/examination.js';
import { tempWorkDir } from '../support/batch-fixtures.js';

// 600 random epsilon-greedy slates of 5 (explored marks and clicks at random), two logging
// versions; the lake's examination cells and per-showing `above` counted in DuckDB must equal
// what the in-memory twin (`slateCells`) and a direct count say.
const T0 = Date.parse('2026-01-01T00:00:00Z');
const rng = xoshiro128ss(seedFromString('examination-sql'));
const slates = Array.from({ length: 600 }, (_, n) => {
  const items = [...Array(10).keys()].sort(() => rng.next() - 0.5).slice(0, 5);
  return {
    id: `imp-${n}`,
    version: n % 3 === 0 ? 'v1' : 'v2',
    ts: T0 + n * 1000,
    slots: items.map((i, p) => ({ item: `i${i}`, position: p, explored: rng.next() < 0.3, reward: rng.next() < 0.25 ? 1 : 0 })),
  };
});

describe('examination cells and clicks above, counted in DuckDB', () => {
  let work: Awaited<ReturnType<typeof tempWorkDir>>;
  const files = { imp: '', ev: '', impParquet: '', evParquet: '' };
  beforeAll(async () => {
    work = await tempWorkDir();
    Object.assign(files, { imp: join(work.dir, 'imp.ndjson'), ev: join(work.dir, 'ev.ndjson'), impParquet: join(work.dir, 'imp.parquet'), evParquet: join(work.dir, 'ev.parquet') });
    const imps = slates.map((s) => ({
      schema: 'impression/v1', impression_id: s.id, ts: s.ts, user_key: `u${s.ts % 7}`, surface: 'home', policy_version: s.version,
      strategy: { name: 'epsilon-greedy', epsilon: 0.3 }, propensity_type: 'marginal', source: 'cache', k: 5,
      items: s.slots.map((x) => ({ item_id: x.item, position: x.position, score: 0, propensity: 0.5, explored: x.explored })), slate_propensity: 0.1, context: {},
    }));
    const evs = slates.flatMap((s) => s.slots.filter((x) => x.reward > 0).map((x) => ({ schema: 'event/v1', event_id: `${s.id}-${x.position}`, impression_id: s.id, user_key: `u${s.ts % 7}`, item_id: x.item, position: x.position, type: 'click', value: 1, ts: s.ts + 10, received_at: s.ts + 10, policy_version: s.version })));
    await writeFile(files.imp, imps.map((r) => JSON.stringify(r)).join('\n'));
    await writeFile(files.ev, evs.map((r) => JSON.stringify(r)).join('\n'));
    await withDuck(async (c) => {
      await c.run(`COPY (SELECT * FROM read_json($f, format = 'newline_delimited', columns = ${IMPRESSION_COLUMNS})) TO $p (FORMAT parquet)`, { f: pathList([files.imp]), p: files.impParquet });
      await c.run(`COPY (SELECT * FROM read_json($f, format = 'newline_delimited', columns = ${EVENT_COLUMNS})) TO $p (FORMAT parquet)`, { f: pathList([files.ev]), p: files.evParquet });
    });
  });
  afterAll(async () => work?.cleanup());

  const read = () =>
    withDuck(async (c) => {
      await buildDataset(c, { impressions: [files.impParquet], events: [files.evParquet] }, { catalogIds: [], trainWindowMs: 0, holdoutFraction: 0, rewards: { click: 1 }, attributionWindowMs: 60_000 });
      const cells = await readExaminationCells(c, T0 + 1e9);
      return { all: cells.all, clear: cells.clearAbove, rows: await readItemPositionStats(c, T0 + 1e9) };
    });
  const key = (c: ExaminationCell) => `${c.version}|${c.rank}|${c.position}|${c.shown}|${c.rewarded}`;
  const slots = (): CellSlot[][] => slates.map((s) => s.slots.map(({ position, explored, reward }) => ({ position, explored, reward })));

  it('cells equal slateCells, with and without the slots under a click', async () => {
    const got = await read();
    const versions = slates.map((s) => s.version);
    expect(got.all.map(key).sort()).toEqual(slateCells(slots(), versions).map(key).sort());
    expect(got.clear.map(key).sort()).toEqual(slateCells(slots(), versions, { clearAbove: true }).map(key).sort());
    expect(got.clear.reduce((a, c) => a + c.shown, 0)).toBeLessThan(got.all.reduce((a, c) => a + c.shown, 0));
  });

  it('slates slot by slot (the cascade fit\'s input): position order, catalog rows, explored marks and clicks', async () => {
    // A catalog without i8 and i9: their slots stay in the slate (they shape reading below them), item −1.
    const catalog = [...Array(8).keys()].map((i) => `i${i}`);
    const got = await withDuck(async (c) => {
      await buildDataset(c, { impressions: [files.impParquet], events: [files.evParquet] }, { catalogIds: catalog, trainWindowMs: 0, holdoutFraction: 0, rewards: { click: 1 }, attributionWindowMs: 60_000 });
      return { all: await readSlateSlots(c, T0 + 1e9), before: await readSlateSlots(c, T0 + 300 * 1000) };
    });
    const sorted = [...slates].sort((a, b) => (a.id < b.id ? -1 : 1));
    const row = new Map([...catalog].sort().map((id, i) => [id, i]));
    expect(got.all.items).toEqual(sorted.map((s) => s.slots.map((x) => row.get(x.item) ?? -1)));
    expect(got.all.slots).toEqual(sorted.map((s) => s.slots.map((x) => ({ explored: x.explored, clicked: x.reward > 0, version: s.version }))));
    expect(got.all.items.flat()).toContain(-1);
    expect(got.before.slots).toHaveLength(300);
  });

  it('every showing carries the clicks above it in its slate, capped', async () => {
    const { rows } = await read();
    const want = new Map<string, number>();
    for (const s of slates) {
      let above = 0;
      for (const x of s.slots) {
        const k = `${x.position}|${Math.min(above, MAX_ABOVE)}`;
        want.set(k, (want.get(k) ?? 0) + 1);
        above += x.reward;
      }
    }
    const got = new Map<string, number>();
    for (const r of rows) got.set(`${r.position}|${r.above}`, (got.get(`${r.position}|${r.above}`) ?? 0) + r.shown);
    expect(got).toEqual(want);
  });
});
