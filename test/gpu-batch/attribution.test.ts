import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributeRewards, readAttributed, rewardKey } from '../../gpu-batch/dataset/attribution.js';
import { IMPRESSION_COLUMNS } from '../../gpu-batch/lake/columns.js';
import { pathList, withDuck } from '../../gpu-batch/lake/duck.js';
import { tempWorkDir } from '../support/batch-fixtures.js';

const WINDOW = 1000;
const item = (item_id: string, position: number) => ({ item_id, position, score: 0, propensity: 0.5, explored: false });
const impressions = [
  { impression_id: 'A', ts: 10_000, items: [item('a', 1), item('b', 2), item('c', 3)] },
  { impression_id: 'B', ts: 50_000, items: [item('a', 1)] },
];
let n = 0;
const ev = (impression_id: string, item_id: string, type: string, received_at: number, ts = received_at) => ({ event_id: `e${n++}`, impression_id, item_id, type, ts, received_at });
const events = [
  ev('A', 'a', 'click', 10_500),
  ev('A', 'a', 'click', 10_600), // the same type again: still one click
  ev('A', 'a', 'purchase', 11_000), // ts + window: inside (inclusive)
  ev('A', 'b', 'click', 11_001), // one ms late
  ev('A', 'b', 'click', 9_999), // before the impression
  ev('A', 'b', 'purchase', 12_000, 10_100), // the client clock says inside, the edge's says late: late
  ev('A', 'c', 'dwell', 10_100), // not in the reward map
  ev('B', 'a', 'click', 50_100),
  ev('B', 'z', 'click', 50_100), // an item the impression did not show
  ev('C', 'a', 'click', 10_500), // an impression not in the table
];
const EXPECTED = new Map([
  [rewardKey('A', 'a'), 6],
  [rewardKey('B', 'a'), 1],
]);

describe('reward attribution (the one definition)', () => {
  let work: Awaited<ReturnType<typeof tempWorkDir>>;
  const files = { impressions: '', events: '', parquet: '' };
  beforeAll(async () => {
    work = await tempWorkDir();
    files.impressions = join(work.dir, 'imp.ndjson');
    files.events = join(work.dir, 'ev.ndjson');
    files.parquet = join(work.dir, 'ev.parquet');
    await writeFile(files.impressions, impressions.map((r) => JSON.stringify(r)).join('\n'));
    await writeFile(files.events, events.map((r) => JSON.stringify(r)).join('\n'));
  });
  afterAll(async () => work?.cleanup());

  async function attributed(format: 'ndjson' | 'parquet', rewards: Record<string, number>): Promise<Map<string, number>> {
    return withDuck(async (c) => {
      await c.run(`CREATE TEMP TABLE "imps" AS SELECT "impression_id", "ts", "items" FROM read_json($f, format = 'newline_delimited', columns = ${IMPRESSION_COLUMNS})`, { f: pathList([files.impressions]) });
      if (format === 'parquet') await c.run(`COPY (SELECT * FROM read_json($f, format = 'newline_delimited')) TO $p (FORMAT parquet)`, { f: pathList([files.events]), p: files.parquet });
      await attributeRewards(c, 'imps', { format, files: [format === 'parquet' ? files.parquet : files.events] }, { rewards, attributionWindowMs: WINDOW });
      return readAttributed(c);
    });
  }

  it('counts each type once per shown item, inside [ts, ts + window] on the edge clock, weighted by the reward map', async () => {
    expect(await attributed('ndjson', { click: 1, purchase: 5 })).toEqual(EXPECTED);
  });

  it('reads the lake (Parquet) the same way as NDJSON logs', async () => {
    expect(await attributed('parquet', { click: 1, purchase: 5 })).toEqual(EXPECTED);
  });

  it('gives nothing for types outside the reward map, and nothing without events', async () => {
    expect(await attributed('ndjson', { dwell: 2 })).toEqual(new Map([[rewardKey('A', 'c'), 2]]));
    const none = await withDuck(async (c) => {
      await c.run(`CREATE TEMP TABLE "imps" AS SELECT "impression_id", "ts", "items" FROM read_json($f, format = 'newline_delimited', columns = ${IMPRESSION_COLUMNS})`, { f: pathList([files.impressions]) });
      await attributeRewards(c, 'imps', { format: 'parquet', files: [] }, { rewards: { click: 1 }, attributionWindowMs: WINDOW });
      return readAttributed(c);
    });
    expect(none.size).toBe(0);
  });
});
