import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CATALOG_KEY, EVENTS_PREFIX, IMPRESSIONS_PREFIX } from '../shared/artifact/paths.js';
import type { ObjectStore } from '../shared/store/object-store.js';
import { catalogNdjson } from '../gpu-batch/catalog/parse-catalog.js';
import { parseConfig } from '../gpu-batch/config/config.js';
import { gateFromConfig } from '../gpu-batch/ope/ope-gate.js';
import { runBatch } from '../gpu-batch/run/run-batch.js';
import { S3Store } from '../gpu-batch/store/s3-store.js';
import { streamProgress, type Progress } from '../gpu-batch/util/progress.js';
import { startEdge, type LocalEdge } from '../local/start-edge.js';
import { startS3Server } from '../local/s3-server.js';
import type { RoundRow, RunSummary } from './report.js';
import { runTraffic } from './traffic.js';
import { World, type WorldOptions } from './world.js';

export interface DemoOptions {
  rounds: number;
  world: WorldOptions;
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
  const logged: LogTally = { keys: new Set(), impressions: new Set(), events: new Set() };
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
      // The deploy gate as `slatecast batch run` configures it (on by default): the figures come from the path a deployment runs.
      const gate = gateFromConfig(config, log);
      const run = await runBatch(config, { store, progress: log, ...(gate ? { gate } : {}) });
      const batchSeconds = (performance.now() - tb) / 1000;
      if (run.status === 'failed') throw new Error(`batch run failed: ${run.error}`);
      const gateVerdict = run.gate ? `${run.gate.publish ? 'pass' : 'reject'}${(run.gate as { evaluated?: boolean }).evaluated === false ? ' (not evaluated)' : ''}` : 'off';
      log.info(`[${label}] round ${round}: batch ${run.status} ${run.version ?? ''} in ${batchSeconds.toFixed(1)} s (${run.decision ?? ''}; gate ${gateVerdict})`);

      if (!edge) {
        edge = await startEdge({ s3, tokenSecret: 'demo-token-secret-0123456789', userSalt: 'demo-user-salt-0123456789', vars: { ARTIFACT_TTL_S: '0.5' }, quiet: true });
        log.info(`[${label}] edge worker (workerd) at ${edge.url}`);
      }
      const serving = await waitForVersion(edge.url, run.status === 'published' ? run.version : null);

      const tt = performance.now();
      const t = await runTraffic(world, round, edge.url.toString().replace(/\/$/, ''), {
        k: o.world.k,
        concurrency: o.concurrency ?? 16,
        onProgress: (done, total) => log.bar(`[${label}] round ${round} users`, done, total),
      });
      const trafficSeconds = (performance.now() - tt) / 1000;
      served.impressions.push(...t.impressionIds);
      served.events.push(...t.eventIds);
      await waitForLogs(store, logged, served);

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
        sources: t.sources,
        batch_seconds: batchSeconds,
        traffic_seconds: trafficSeconds,
        errors: t.errors.length,
        gate: gateVerdict,
      };
      rows.push(row);
      log.info(
        `[${label}] round ${round}: CTR ${(100 * row.ctr).toFixed(1)}% · oracle ${(100 * row.oracle_ctr).toFixed(1)}% · ratio ${row.ctr_vs_oracle.toFixed(2)} · explored ${(100 * row.explored_share).toFixed(0)}% · coverage ${(100 * row.coverage).toFixed(0)}% · ${t.requests} slates in ${trafficSeconds.toFixed(1)} s${t.errors.length ? ` · ${t.errors.length} ERRORS: ${t.errors[0]}` : ''}`,
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

/** Polls /healthz until the edge serves `version` (or any version when null). */
async function waitForVersion(url: URL, version: string | null): Promise<string> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    const r = await fetch(new URL('/healthz', url));
    const h = (await r.json()) as { version: string | null };
    last = JSON.stringify(h);
    if (h.version && (version === null || h.version === version)) return h.version;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`edge did not pick up ${version ?? 'a version'} within 30 s: ${last}`);
}

/** Log objects read so far, by key, and the ids they held. */
interface LogTally {
  keys: Set<string>;
  impressions: Set<string>;
  events: Set<string>;
}

/**
 * Waits until the queue consumer has written every impression and event served so far (compared
 * by id, so duplicates from redelivery do not count twice). An object is remembered only when it
 * parses whole, so one read while still being written is read again.
 */
async function waitForLogs(store: ObjectStore, logged: LogTally, served: { impressions: readonly string[]; events: readonly string[] }): Promise<void> {
  const deadline = Date.now() + 60_000;
  const unreadable = new Map<string, string>();
  const missing = () => ({ impressions: served.impressions.filter((id) => !logged.impressions.has(id)), events: served.events.filter((id) => !logged.events.has(id)) });
  while (Date.now() < deadline) {
    for (const [prefix, ids, field] of [[IMPRESSIONS_PREFIX, logged.impressions, 'impression_id'], [EVENTS_PREFIX, logged.events, 'event_id']] as const) {
      for (const o of await store.list(prefix)) {
        if (logged.keys.has(o.key)) continue;
        const body = await store.get(o.key);
        if (!body) continue;
        const text = new TextDecoder().decode(body.body);
        if (!text.endsWith('\n')) {
          unreadable.set(o.key, `no final newline (${text.length} bytes)`);
          continue;
        }
        try {
          for (const line of text.split('\n')) if (line) ids.add((JSON.parse(line) as Record<string, string>)[field]!);
        } catch (e) {
          unreadable.set(o.key, (e as Error).message);
          continue;
        }
        unreadable.delete(o.key);
        logged.keys.add(o.key);
      }
    }
    const m = missing();
    if (m.impressions.length === 0 && m.events.length === 0) return;
    await new Promise((res) => setTimeout(res, 250));
  }
  const m = missing();
  throw new Error(`logs did not arrive within 60 s: missing ${m.impressions.length} impressions (e.g. ${m.impressions.slice(0, 3).join(', ')}) and ${m.events.length} events (e.g. ${m.events.slice(0, 3).join(', ')}); unreadable objects: ${JSON.stringify([...unreadable].slice(0, 5))}`);
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
