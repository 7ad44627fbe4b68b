import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CATALOG_KEY } from '../shared/artifact/paths.js';
import { catalogNdjson } from '../gpu-batch/catalog/parse-catalog.js';
import { parseConfig } from '../gpu-batch/config/config.js';
import { runBatch } from '../gpu-batch/run/run-batch.js';
import { S3Store } from '../gpu-batch/store/s3-store.js';
import { streamProgress, type Progress } from '../gpu-batch/util/progress.js';
import { oracleClicks } from '../worlds/baselines.js';
import { logTally, SIM_SECRETS, startEdge, startS3Server, waitForLogs, waitForPointer, type LocalEdge } from '../worlds/sim/stack.js';
import { runTraffic } from '../worlds/sim/traffic.js';
import { roundVisits } from '../worlds/sim/visits.js';
import { World, type WorldParams } from '../worlds/sim/world.js';
import type { ServedVisit } from '../worlds/sim/traffic.js';
import type { SimUser } from '../worlds/sim/world.js';
import type { RoundRow, RunSummary } from './report.js';

export interface DemoOptions {
  rounds: number;
  world: WorldParams;
  /** 'auto': the batch tier's own epsilon rule; a number pins epsilon (0 = no exploration). */
  epsilon: 'auto' | number;
  out: string;
  label?: string;
  /** Simultaneous simulated users. */
  concurrency?: number;
  progress?: Progress;
}

/**
 * One run of the closed loop on a fresh embedded S3 server and a fresh worker: bootstrap, then
 * `rounds` rounds of traffic → logs → retrain → publish → pick-up.
 */
export async function runDemo(o: DemoOptions): Promise<RunSummary> {
  const label = o.label ?? 'run';
  const log = o.progress ?? streamProgress();
  const s3 = await startS3Server();
  const world = new World(o.world, Date.now());
  let edge: LocalEdge | null = null;
  const rows: RoundRow[] = [];
  const goodBorn = new Map<string, number>();
  const goodExploited = new Map<string, number>();
  const promoted = new Set<string>();
  const shownEver = new Set<string>();
  const logged = logTally();
  const firstRound = new Map<string, number>();

  const served = { impressions: [] as string[], events: [] as string[] };
  let cumulativeRegret = 0;
  try {
    const config = parseConfig({
      s3: { endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      workDir: join(o.out, 'work', label.replace(/[^a-z0-9]+/gi, '-')),
      settleMs: 0,
      serve: {},
      kDefault: o.world.k,
      quiet: true,
      ...(o.epsilon === 'auto' ? {} : o.epsilon === 0 ? { explore: false } : { epsilonMin: o.epsilon, epsilonMax: o.epsilon, epsilonBootstrap: o.epsilon }),
    });
    const store = S3Store.fromConfig(config.s3);
    log.info(`[${label}] embedded S3 at ${s3.endpoint}; world: ${world.users.length} users, ${world.items.length} items`);
    for (let round = 0; round <= o.rounds; round++) {
      const now = Date.now();
      const { newItems } = world.advance(round, now);
      for (const it of newItems) if (it.good) goodBorn.set(it.id, round);
      await store.put(CATALOG_KEY, catalogNdjson(world.items.map((i) => i.catalog)), { contentType: 'application/x-ndjson' });

      const tb = performance.now();
      // The deploy gate as the config has it (on by default, as in `slatecast batch run`): the figures come from the path a deployment runs.
      const run = await runBatch(config, { store, progress: log });
      const batchSeconds = (performance.now() - tb) / 1000;
      if (run.status === 'failed') throw new Error(`batch run failed: ${run.error}`);
      const gateVerdict = run.gate ? `${run.gate.publish ? 'pass' : 'reject'}${(run.gate as { evaluated?: boolean }).evaluated === false ? ' (not evaluated)' : ''}` : 'off';
      log.info(`[${label}] round ${round}: batch ${run.status} ${run.version ?? ''} in ${batchSeconds.toFixed(1)} s (${run.decision ?? ''}; gate ${gateVerdict})`);

      if (!edge) {
        edge = await startEdge({ s3, ...SIM_SECRETS, vars: { ARTIFACT_TTL_S: '0.5' }, quiet: true });
        log.info(`[${label}] edge worker (workerd) at ${edge.url}`);
      }
      const { version: serving } = await waitForPointer(edge.url, store);

      const tt = performance.now();
      const traffic = await runTraffic(world, round, roundVisits(world, round, firstRound), edge.url.toString().replace(/\/$/, ''), {
        concurrency: o.concurrency ?? 16,
        onProgress: (done, total) => log.bar(`[${label}] round ${round} users`, done, total),
      });
      const trafficSeconds = (performance.now() - tt) / 1000;
      served.impressions.push(...traffic.impressionIds);
      served.events.push(...traffic.eventIds);
      await waitForLogs(store, logged, served);
      const oracleCache = new Map<string, number>();
      const t = tally(traffic.served, (u) => {
        let v = oracleCache.get(u.id);
        if (v === undefined) oracleCache.set(u.id, (v = oracleClicks(world, u)));
        return v;
      });

      for (const id of t.itemsShown) shownEver.add(id);
      for (const id of t.itemsExploited) {
        const it = world.itemById(id)!;
        if (it.bornRound > 0 && it.bornRound < round) promoted.add(id);
        if (goodBorn.has(id) && !goodExploited.has(id)) goodExploited.set(id, round);
      }
      const regret = (t.oracleClicks - t.expectedClicks) / Math.max(1, t.requests);
      cumulativeRegret += t.oracleClicks - t.expectedClicks;
      const row: RoundRow = {
        round,
        version: serving,
        requests: t.requests,
        shown: t.shown,
        clicks: t.clicks,
        ctr: t.clicks / Math.max(1, t.shown),
        expected_ctr: t.expectedClicks / Math.max(1, t.shown),
        oracle_ctr: t.oracleClicks / Math.max(1, t.shown),
        ctr_vs_oracle: t.expectedClicks / Math.max(1e-9, t.oracleClicks),
        regret,
        cumulative_regret: cumulativeRegret,
        explored_share: t.explored.shown / Math.max(1, t.shown),
        explored_ctr: t.explored.shown ? t.explored.clicks / t.explored.shown : null,
        exploited_ctr: t.exploited.shown ? t.exploited.clicks / t.exploited.shown : null,
        coverage: t.itemsShown.size / world.items.length,
        new_items_shown: [...t.itemsShown].filter((id) => world.itemById(id)!.bornRound > 0).length,
        new_items_promoted: promoted.size,
        good_new_items: goodBorn.size,
        good_new_items_exploited: goodExploited.size,
        sources: traffic.sources,
        batch_seconds: batchSeconds,
        traffic_seconds: trafficSeconds,
        errors: traffic.errors.length,
        gate: gateVerdict,
      };
      rows.push(row);
      log.info(
        `[${label}] round ${round}: CTR ${(100 * row.ctr).toFixed(1)}% · oracle ${(100 * row.oracle_ctr).toFixed(1)}% · ratio ${row.ctr_vs_oracle.toFixed(2)} · explored ${(100 * row.explored_share).toFixed(0)}% · coverage ${(100 * row.coverage).toFixed(0)}% · ${t.requests} slates in ${trafficSeconds.toFixed(1)} s${traffic.errors.length ? ` · ${traffic.errors.length} ERRORS: ${traffic.errors[0]}` : ''}`,
      );
    }
  } finally {
    await edge?.stop();
    await s3.stop();
  }
  printTable(label, rows);
  return {
    label,
    epsilon: String(o.epsilon),
    rounds: rows,
    good_item_discovery: [...goodBorn].map(([item, born]) => ({ item, born_round: born, exploited_after_rounds: goodExploited.has(item) ? goodExploited.get(item)! - born : null })),
  };
}

/** Per-round totals of the served visits; the oracle is per user (the same for each visit). */
function tally(served: readonly ServedVisit[], oracle: (u: SimUser) => number) {
  const t = { requests: 0, shown: 0, clicks: 0, expectedClicks: 0, oracleClicks: 0, explored: { shown: 0, clicks: 0 }, exploited: { shown: 0, clicks: 0 }, itemsShown: new Set<string>(), itemsExploited: new Set<string>() };
  for (const s of served) {
    t.requests++;
    t.shown += s.items.length;
    t.expectedClicks += s.expected;
    t.oracleClicks += oracle(s.visit.user);
    for (const [p, item] of s.items.entries()) {
      t.itemsShown.add(item.id);
      const side = s.explored[p] ? t.explored : t.exploited;
      side.shown++;
      if (!s.explored[p]) t.itemsExploited.add(item.id);
      if (!s.clicked[p]) continue;
      side.clicks++;
      t.clicks++;
    }
  }
  return t;
}

function printTable(label: string, rows: RoundRow[]): void {
  const head = ['round', 'CTR', 'oracle', 'CTR/oracle', 'explored', 'coverage', 'new shown', 'promoted', 'good found', 'version', 'batch s'];
  const lines = rows.map((r) => [
    String(r.round),
    `${(100 * r.ctr).toFixed(1)}%`,
    `${(100 * r.oracle_ctr).toFixed(1)}%`,
    r.ctr_vs_oracle.toFixed(2),
    `${(100 * r.explored_share).toFixed(0)}%`,
    `${(100 * r.coverage).toFixed(0)}%`,
    String(r.new_items_shown),
    String(r.new_items_promoted),
    `${r.good_new_items_exploited}/${r.good_new_items}`,
    r.version,
    r.batch_seconds.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  process.stdout.write(`\n${label}\n${fmt(head)}\n${lines.map(fmt).join('\n')}\n`);
}
