import { createHash, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../gpu-batch/dataset/build-dataset.js';
import { readItemPositionStats, readSurfaceSlots, readTrainingPairs } from '../../gpu-batch/dataset/read-dataset.js';
import { inEvalSlice, SLICE_BUCKETS } from '../../gpu-batch/dataset/eval-slice.js';
import { EVENT_COLUMNS, IMPRESSION_COLUMNS } from '../../gpu-batch/lake/columns.js';
import { pathList, withDuck } from '../../gpu-batch/lake/duck.js';
import { readLakeSlates } from '../../gpu-batch/ope/lake-slates.js';
import { tempWorkDir } from '../support/batch-fixtures.js';

// 2,000 impressions with random ids: the slice per-user learning skips and the one the gate marks
// must be the same set, the share asked for, and what an independent MD5 of each id says (so the
// slice never moves with a DuckDB version).
const T0 = Date.parse('2026-01-01T00:00:00Z');
const N = 2000;
const ids = Array.from({ length: N }, () => randomUUID());
const SHARE = 0.2;
const twin = (id: string) => parseInt(createHash('md5').update(id).digest('hex').slice(0, 8), 16) % SLICE_BUCKETS < SHARE * SLICE_BUCKETS;

describe('the gate evaluation slice', () => {
  let work: Awaited<ReturnType<typeof tempWorkDir>>;
  const lake = { impressions: [] as string[], events: [] as string[] };
  beforeAll(async () => {
    work = await tempWorkDir();
    const imp = join(work.dir, 'imp.ndjson');
    const ev = join(work.dir, 'ev.ndjson');
    const imps = ids.map((id, n) => ({
      schema: 'impression/v1', impression_id: id, ts: T0 + n * 1000, user_key: `u${n % 50}`, surface: 'home', policy_version: 'v1',
      strategy: { name: 'epsilon-greedy', epsilon: 0.1 }, propensity_type: 'marginal', source: 'cache', k: 2,
      items: [0, 1].map((p) => ({ item_id: `i${(n + p) % 30}`, position: p, score: 0, propensity: 0.9, explored: false })), slate_propensity: 0.81, context: {},
    }));
    const evs = ids.filter((_, n) => n % 4 === 0).map((id, j) => ({ schema: 'event/v1', event_id: `e${j}`, impression_id: id, user_key: 'u0', item_id: 'i0', position: 0, type: 'click', value: 1, ts: T0, received_at: T0, policy_version: 'v1' }));
    await writeFile(imp, imps.map((r) => JSON.stringify(r)).join('\n'));
    await writeFile(ev, evs.map((r) => JSON.stringify(r)).join('\n'));
    lake.impressions = [join(work.dir, 'imp.parquet')];
    lake.events = [join(work.dir, 'ev.parquet')];
    await withDuck(async (c) => {
      await c.run(`COPY (SELECT * FROM read_json($f, format = 'newline_delimited', columns = ${IMPRESSION_COLUMNS})) TO $p (FORMAT parquet)`, { f: pathList([imp]), p: lake.impressions[0]! });
      await c.run(`COPY (SELECT * FROM read_json($f, format = 'newline_delimited', columns = ${EVENT_COLUMNS})) TO $p (FORMAT parquet)`, { f: pathList([ev]), p: lake.events[0]! });
    });
  });
  afterAll(async () => work?.cleanup());

  it('refuses a share outside [0, 1)', () => {
    for (const bad of [-0.1, 1, 1.5, Number.NaN]) expect(() => inEvalSlice(bad)).toThrow(RangeError);
    expect(inEvalSlice(0)).toContain('< 0)');
  });

  /** Per impression id, whether learning held it out of per-user learning; and the training pairs' total weight. */
  const learnt = (evalSlice: { share: number; window: number }) =>
    withDuck(async (c) => {
      await buildDataset(c, lake, { catalogIds: [], trainWindowMs: 0, holdoutFraction: 0, rewards: { click: 1 }, attributionWindowMs: 60_000, evalSlice });
      const held = new Set((await c.runAndReadAll(`SELECT "impression_id" FROM "held"`)).getRowsJS().map((r) => r[0] as string));
      const shown = Number((await c.runAndReadAll(`SELECT count(*) FROM "shown"`)).getRowsJS()[0]![0]);
      const heldRows = Number((await c.runAndReadAll(`SELECT count(*) FROM "shown" WHERE "held"`)).getRowsJS()[0]![0]);
      // Every pair kept (negatives per positive far above the pairs there are): Σ w = the showings read.
      const pairs = await readTrainingPairs(c, { before: T0 + 1e9, negativesPerPositive: 1e9, seed: 1 });
      const items = await readItemPositionStats(c, T0 + 1e9);
      return { held, shown, heldRows, pairWeight: pairs.w.reduce((a, b) => a + b, 0), itemShows: items.reduce((a, r) => a + r.shown, 0), slots: await readSurfaceSlots(c, T0 + (N - 100) * 1000) };
    });

  it('per-user learning skips exactly the slice the gate marks; items and ε still count every showing', async () => {
    const [got, read] = await Promise.all([
      learnt({ share: SHARE, window: N }),
      withDuck((c) => readLakeSlates(c, lake, { rewards: { click: 1 }, attributionWindowMs: 60_000, limit: N, slice: SHARE })),
    ]);
    const inSlice = ids.filter(twin);
    expect(read).toHaveLength(N);
    expect(new Set(read.filter((l) => l.in_slice).map((l) => l.slate.impression_id))).toEqual(new Set(inSlice));
    expect(got.held).toEqual(new Set(inSlice));
    expect([got.shown, got.heldRows, got.pairWeight, got.itemShows]).toEqual([2 * N, 2 * inSlice.length, 2 * (N - inSlice.length), 2 * N]);
    expect(got.slots).toEqual({ home: { all: 2 * N, since: 2 * 100 } });
    // Binomial(2000, 0.2): sd ≈ 17.9 impressions; 4σ.
    expect(Math.abs(inSlice.length - N * SHARE)).toBeLessThan(4 * Math.sqrt(N * SHARE * (1 - SHARE)));
  });

  it('only the slice a gate can still read is held: older slice impressions train', async () => {
    const window = 500;
    const got = await learnt({ share: SHARE, window });
    // ids are in ts order: the newest `window` are the last ones.
    expect(got.held).toEqual(new Set(ids.filter((id, n) => n >= N - window && twin(id))));
    expect(got.pairWeight).toBe(2 * (N - got.held.size));
  });

  it('share 0 is no slice: learning and the gate see everything', async () => {
    const got = await learnt({ share: 0, window: N });
    const judged = await withDuck((c) => readLakeSlates(c, lake, { rewards: { click: 1 }, attributionWindowMs: 60_000, limit: N, slice: 0 }));
    expect([got.held.size, got.pairWeight]).toEqual([0, 2 * N]);
    expect(judged.filter((l) => l.in_slice)).toHaveLength(0);
  });
});
