import type { DuckDBConnection } from '@duckdb/node-api';
import type { ArmTraffic } from '../../shared/artifact/canary.js';
import { ATTRIBUTED, attributeRewards, type AttributionParams } from '../dataset/attribution.js';
import type { LakeFiles } from '../dataset/build-dataset.js';
import { pathList } from '../lake/duck.js';

/**
 * Each arm's traffic since a canary started, per user: the slates the canary's version and the
 * serving (control) version served, from the lake, with rewards attributed as training attributes
 * them. The arms are told apart by the logged `policy_version`, which is exactly the version that
 * served the slate (the edge logs the one it used), so no hash is recomputed here.
 */
export async function readCanaryArms(
  c: DuckDBConnection,
  lake: LakeFiles,
  o: AttributionParams & { canary: string; control: string; since: number },
): Promise<{ canary: ArmTraffic; control: ArmTraffic }> {
  const empty = () => ({ slates: [] as number[], rewards: [] as number[] });
  const arms = { canary: empty(), control: empty() };
  if (lake.impressions.length === 0) return arms;
  await c.run(
    `CREATE OR REPLACE TEMP TABLE "canary_imp" AS
     SELECT "impression_id", "ts", "user_key", "policy_version", "items" FROM read_parquet($imps)
     WHERE "policy_version" IN ($canary, $control) AND "ts" >= $since`,
    { imps: pathList(lake.impressions), canary: o.canary, control: o.control, since: o.since },
  );
  await attributeRewards(c, 'canary_imp', { format: 'parquet', files: lake.events }, o);
  const rows = (
    await c.runAndReadAll(
      `SELECT i."policy_version", i."user_key", count(*)::DOUBLE, coalesce(sum(a."reward"), 0)::DOUBLE
       FROM "canary_imp" i LEFT JOIN (SELECT "impression_id", sum("reward") AS "reward" FROM ${ATTRIBUTED} GROUP BY ALL) a USING ("impression_id")
       GROUP BY ALL ORDER BY 1, 2`,
    )
  ).getRowsJS();
  await c.run(`DROP TABLE IF EXISTS "canary_imp"`);
  for (const [pv, , slates, reward] of rows) {
    const arm = pv === o.canary ? arms.canary : arms.control;
    arm.slates.push(Number(slates));
    arm.rewards.push(Number(reward));
  }
  return arms;
}
