import { env } from 'cloudflare:test';
import worker from '../../edge/index.js';
import type { AppEnv } from '../../edge/env.js';
import type { LogMessage } from '../../shared/schemas/queue.js';

/** Calls the worker's fetch handler in this isolate with a queue that records what is sent. */
export function harness(overrides: Partial<AppEnv> = {}) {
  const sent: LogMessage[] = [];
  const queue = {
    async send(body: LogMessage) {
      sent.push(body);
    },
    async sendBatch(msgs: Iterable<{ body: LogMessage }>) {
      for (const m of msgs) sent.push(m.body);
    },
  } as unknown as Queue;
  const e = { ...(env as AppEnv), LOG_QUEUE: queue, ...overrides } as AppEnv;
  const pending: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => pending.push(p), passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  async function call(path: string, init?: RequestInit): Promise<Response> {
    const r = await worker.fetch(new Request(`https://edge.test${path}`, init), e, ctx);
    await Promise.all(pending.splice(0));
    return r;
  }
  async function json(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }
  return { env: e, sent, call, json };
}
