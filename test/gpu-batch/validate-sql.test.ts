import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDuck } from '../../gpu-batch/lake/duck.js';
import { checkLogObject } from '../../gpu-batch/ingest/validate-log.js';
import { sqlCheckFiles } from '../../gpu-batch/ingest/validate-sql.js';

const item = { item_id: 'x', position: 0, score: 1, propensity: 0.9, explored: false };
const impression = {
  schema: 'impression/v1', impression_id: 'i1', ts: 1, user_key: 'a'.repeat(32), surface: 'home', policy_version: 'v', strategy: { name: 'epsilon-greedy', epsilon: 0.1 },
  propensity_type: 'marginal_position', propensity_method: 'exact', source: 'cache', k: 1, items: [item], slate_propensity: 0.9,
  context: { recent_item_ids: ['a', 'b'], exclude_item_ids: [], locale: null },
};
const event = { schema: 'event/v1', event_id: 'e1', impression_id: 'i1', user_key: 'a'.repeat(32), item_id: 'x', position: 0, type: 'click', value: null, ts: 2, received_at: 2, policy_version: 'v' };
const line = (o: unknown) => JSON.stringify(o);

/** Every value-level rejection of the zod schemas must also be caught (flagged or unreadable) by the SQL pass. */
const bad: Array<[string, 'impressions' | 'events', string]> = [
  ['truncated', 'events', `${line(event)}\n${line(event).slice(0, 20)}`],
  ['garbage line', 'events', `${line(event)}\n}{\n${line(event)}`],
  ['impression in events', 'events', line(impression)],
  ['event in impressions', 'impressions', line(event)],
  ['propensity > 1', 'impressions', line({ ...impression, items: [{ ...item, propensity: 1.5 }] })],
  ['propensity 0', 'impressions', line({ ...impression, items: [item, { ...item, propensity: 0 }] })],
  ['raw user id', 'events', line({ ...event, user_key: 'alice@example.com' })],
  ['upper-case key', 'impressions', line({ ...impression, user_key: 'A'.repeat(32) })],
  ['bad surface', 'impressions', line({ ...impression, surface: 'Home' })],
  ['bad source', 'impressions', line({ ...impression, source: 'magic' })],
  ['k = 0', 'impressions', line({ ...impression, k: 0 })],
  ['negative ts', 'events', line({ ...event, ts: -1 })],
  ['unknown event type', 'events', line({ ...event, type: 'like' })],
  ['missing impression_id', 'events', line({ ...event, impression_id: undefined })],
  ['missing items', 'impressions', line({ ...impression, items: undefined })],
  ['missing context', 'impressions', line({ ...impression, context: undefined })],
  ['context without locale', 'impressions', line({ ...impression, context: { recent_item_ids: [], exclude_item_ids: [] } })],
  ['number in recent ids', 'impressions', line({ ...impression, context: { ...impression.context, recent_item_ids: [3] } })],
  ['strategy not an object', 'impressions', line({ ...impression, strategy: 'greedy' })],
  ['empty item id', 'impressions', line({ ...impression, items: [{ ...item, item_id: '' }] })],
  ['control char in item id', 'events', line({ ...event, item_id: 'a\u0001b' })],
  ['bad propensity_method', 'impressions', line({ ...impression, propensity_method: 'guess' })],
  ['slate_propensity 0', 'impressions', line({ ...impression, slate_propensity: 0 })],
  ['an array line', 'events', '[1,2]\n'],
  ['a BOM', 'events', `\ufeff${line(event)}\n`],
];

describe('sqlCheckFiles', () => {
  let dir: string;
  beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'sqlcheck-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('counts good files (blank lines skipped) and catches every bad one, also among good ones', async () => {
    const good = join(dir, 'good-imp.ndjson');
    await writeFile(good, `${line(impression)}\n\n${line({ ...impression, impression_id: 'i2', effective_params: undefined })}\n`);
    const goodEv = join(dir, 'good-ev.ndjson');
    await writeFile(goodEv, `${line(event)}\n${line({ ...event, event_id: 'e2', value: 3.5, type: 'purchase' })}\n`);
    const paths: Record<'impressions' | 'events', string[]> = { impressions: [good], events: [goodEv] };
    for (const [i, [, kind, text]] of bad.entries()) {
      const p = join(dir, `bad-${i}.ndjson`);
      await writeFile(p, text);
      paths[kind].push(p);
    }
    await withDuck(async (c) => {
      for (const kind of ['impressions', 'events'] as const) {
        const res = await sqlCheckFiles(c, kind, paths[kind]);
        expect(res[0]).toEqual({ records: 2, flagged: 0 });
        for (const [j, r] of res.slice(1).entries()) {
          const name = bad.filter((b) => b[1] === kind)[j]![0];
          const caught = 'error' in r || r.flagged > 0;
          expect(caught, `${kind}: ${name} → ${JSON.stringify(r)}`).toBe(true);
        }
      }
    });
    // And zod agrees that each is bad (so the reasons come from it).
    for (const [name, kind, text] of bad) if (name !== 'a BOM') expect(checkLogObject(new TextEncoder().encode(text), kind).ok, name).toBe(false);
  });
});
