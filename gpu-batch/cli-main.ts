import { parseCli, USAGE } from './config/args.js';
import { loadConfig } from './config/config.js';
import { UsageError } from './config/errors.js';
import { putCatalog } from './catalog/catalog-store.js';
import { importDsjsonCommand } from './import/import-command.js';
import { opeCommand } from './ope/ope-command.js';
import { rollback } from './publish/rollback.js';
import { runBatch } from './run/run-batch.js';
import { batchStatus, formatStatus } from './run/status.js';
import { startBatchServer } from './serve/serve.js';
import { S3Store } from './store/s3-store.js';
import { silentProgress, streamProgress } from './util/progress.js';

/**
 * The `slatecast` CLI as a function: parses argv and env once, runs one command.
 * @returns the process exit code: 0 ok, 1 the command failed, 2 bad usage (flags, env, input files)
 */
export async function main(argv: readonly string[], env: Record<string, string | undefined>, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  let store: S3Store | null = null;
  try {
    const cli = parseCli(argv);
    if (cli.command === 'help') {
      out.write(USAGE);
      return 0;
    }
    const config = loadConfig(env, cli.flags);
    const progress = config.quiet ? silentProgress : streamProgress();
    store = S3Store.fromConfig(config.s3);
    switch (cli.command) {
      case 'catalog put': {
        const r = await putCatalog(store, cli.positionals[0]!);
        out.write(`uploaded ${r.items} items to catalog/items.ndjson (sha256 ${r.sha256})\n`);
        return 0;
      }
      case 'batch run': {
        const r = await runBatch(config, { store, progress });
        out.write(`${JSON.stringify({ run_id: r.run_id, status: r.status, version: r.version, decision: r.decision, gate: r.gate, counts: r.counts, quarantined: r.quarantined.length, report: `${config.workDir}/reports/${r.run_id}.md` })}\n`);
        return 0;
      }
      case 'batch serve': {
        const server = await startBatchServer(config, store, { progress, runNow: cli.flags['run-now'] === true });
        progress.info(`batch serve on ${server.url}: every ${config.serve.everyMs / 60000} min, GET /status; POST /trigger, GET /metrics, GET /dashboard ${config.serve.triggerToken ? `enabled (bearer token; a browser may open ${server.url}/dashboard?token=…)` : 'disabled (no BATCH_TRIGGER_TOKEN)'}`);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        progress.info('stopping: waiting for a run in progress');
        await server.close();
        return 0;
      }
      case 'rollback': {
        const r = await rollback(store, Date.now(), cli.positionals[0]);
        out.write(`rolled back: ${r.from} → ${r.to}\n`);
        return 0;
      }
      case 'ope': {
        const s = store;
        const r = await opeCommand(config, cli.flags, () => s);
        out.write(r.text);
        return 0;
      }
      case 'import dsjson': {
        const s = store;
        const r = await importDsjsonCommand(config, cli.flags, cli.positionals, () => s);
        out.write(r.text);
        return 0;
      }
      case 'status': {
        const s = await batchStatus(store, Date.now());
        out.write(cli.flags.json ? `${JSON.stringify(s, null, 2)}\n` : `${formatStatus(s)}\n`);
        return 0;
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`slatecast: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`slatecast: ${(e as Error).message}\n`);
    return 1;
  } finally {
    store?.close();
  }
}
