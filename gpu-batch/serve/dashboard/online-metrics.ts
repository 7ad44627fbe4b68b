import { join } from 'node:path';
import type { ObjectStore } from '../../../shared/store/object-store.js';
import { pathList, withDuck } from '../../lake/duck.js';
import { syncLake } from '../../lake/lake-sync.js';
import { silentProgress } from '../../util/progress.js';

/** Online outcome of one serving version on one UTC day, from the lake. */
export interface OnlineRow {
  day: string;
  policy_version: string;
  impressions: number;
  /** Impressions with at least one click on a shown item. */
  clicked: number;
  /** clicked ÷ impressions: the slate click-through rate. */
  ctr: number;
  /** Shown items, and how many of them exploration chose. */
  shown: number;
  explored: number;
  explored_share: number;
}

/**
 * CTR and explored share per serving version and day, queried with DuckDB on the deduplicated
 * Parquet lake (`lake/impressions`, `lake/events`). The lake is mirrored into its own folder
 * under the work dir (not the one `batch run` uses), so a dashboard request never races a run's
 * mirror. A click counts for the impression it names, whenever it arrived: the dashboard shows
 * what users did, not the attribution window training applies.
 * @param localRoot where the mirror lives (created as needed)
 */
export async function onlineMetrics(store: ObjectStore, localRoot: string): Promise<OnlineRow[]> {
  const impressions = await syncLake(store, 'impressions', join(localRoot, 'lake'), silentProgress);
  if (impressions.length === 0) return [];
  const events = await syncLake(store, 'events', join(localRoot, 'lake'), silentProgress);
  return withDuck(
    async (c) => {
      const clicks = events.length
        ? `SELECT DISTINCT impression_id, item_id FROM read_parquet($events) WHERE type = 'click'`
        : `SELECT NULL::VARCHAR AS impression_id, NULL::VARCHAR AS item_id WHERE false`;
      const r = await c.runAndReadAll(
        `WITH shown AS (
           SELECT impression_id, policy_version, strftime(epoch_ms(ts), '%Y-%m-%d') AS day, unnest(items) AS it
           FROM read_parquet($impressions)),
         clicks AS (${clicks}),
         per_impression AS (
           SELECT s.impression_id, any_value(s.day) AS day, any_value(s.policy_version) AS policy_version,
                  count(*) AS shown, count(*) FILTER (WHERE (s.it).explored) AS explored,
                  bool_or(c.item_id IS NOT NULL) AS clicked
           FROM shown s LEFT JOIN clicks c ON c.impression_id = s.impression_id AND c.item_id = (s.it).item_id
           GROUP BY s.impression_id)
         SELECT day, policy_version, count(*) AS impressions, count(*) FILTER (WHERE clicked) AS clicked,
                sum(shown) AS shown, sum(explored) AS explored
         FROM per_impression GROUP BY day, policy_version ORDER BY day, policy_version`,
        { impressions: pathList(impressions.map((p) => p.path)), ...(events.length ? { events: pathList(events.map((p) => p.path)) } : {}) },
      );
      return r.getRowObjectsJS().map((row) => {
        const n = Number(row['impressions']);
        const shown = Number(row['shown']);
        const clicked = Number(row['clicked']);
        const explored = Number(row['explored']);
        return { day: String(row['day']), policy_version: String(row['policy_version']), impressions: n, clicked, ctr: n ? clicked / n : 0, shown, explored, explored_share: shown ? explored / shown : 0 };
      });
    },
    { threads: 2 },
  );
}
