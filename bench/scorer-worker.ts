/**
 * Bench worker run inside workerd by bench/scorer.ts (Miniflare): POST a RunOptions JSON, get
 * the RuntimeResult back. It times itself with `performance.now()`, so the figures exclude the
 * HTTP hop, and it imports the .wasm exactly as the edge does (a CompiledWasm module).
 */
import mod from '../shared/scoring/scorer.wasm';
import { runScorerShapes, type RunOptions } from './scorer-run.js';

export default {
  async fetch(req: Request): Promise<Response> {
    try {
      const opts = (await req.json()) as RunOptions;
      return Response.json(await runScorerShapes('workerd', mod, () => performance.now(), opts));
    } catch (e) {
      return Response.json({ error: String((e as Error).stack ?? e) }, { status: 500 });
    }
  },
};
