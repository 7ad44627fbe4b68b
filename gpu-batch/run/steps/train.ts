import * as tf from '@tensorflow/tfjs-core';
import type { BatchConfig } from '../../config/config.js';
import { selectBackend, type BackendInfo } from '../../train/backend.js';
import { resultOf, type Step } from '../context.js';
import { learn } from '../../learn/learn.js';

let backend: { requested: string; info: Promise<BackendInfo> } | null = null;

/** The tfjs backend is process-global: choose it once per requested choice and reuse it. */
async function backendFor(config: BatchConfig): Promise<BackendInfo> {
  // Re-select when another caller switched tfjs's global backend since (the benchmark does).
  if (backend && backend.requested === config.backend && (await backend.info.catch(() => null))?.backend !== tf.getBackend()) backend = null;
  if (!backend || backend.requested !== config.backend) {
    const info = selectBackend(config.backend);
    backend = { requested: config.backend, info };
    info.catch(() => (backend = null));
  }
  return backend.info;
}

/** 4. train: the model from the lake (or the bootstrap model from the catalog), on the configured tfjs backend. */
export const trainStep: Step<'train'> = {
  name: 'train',
  applies: (ctx) => resultOf(ctx, 'ingest').decision.publish,
  async run(ctx) {
    const { config, progress, record } = ctx;
    const ingested = resultOf(ctx, 'ingest');
    const b = await backendFor(config);
    const adapter = b.adapter ? `, ${b.adapter.api} on ${b.adapter.device || b.adapter.description}${b.adapter.software ? ' (software)' : ''}` : '';
    progress.info(`tfjs backend: ${b.backend} (${b.provider}${b.simd ? ', SIMD' : ''}${adapter})`);
    const learned = await learn(ctx.duck, config, ingested.lake, ingested.catalog.items, {
      progress,
      backend: { backend: b.backend, provider: b.provider, simd: b.simd, requested: b.requested, adapter: b.adapter, versions: b.versions },
      servingSince: resultOf(ctx, 'list').serving?.created_at ?? 0,
    });
    record.training = learned.training;
    record.metrics = learned.metrics;
    return learned;
  },
};
