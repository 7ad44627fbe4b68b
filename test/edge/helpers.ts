import { env } from 'cloudflare:test';
import { createApp } from '../../edge/app.js';
import { defaultDeps, type EdgeDeps } from '../../edge/deps.js';
import type { AppEnv } from '../../edge/env.js';
import type { LogLine } from '../../shared/schemas/queue.js';

/** A queued record, read back from its wire line. */
export interface SentRecord {
  kind: 'impression' | 'event';
  record: Record<string, unknown>;
}

/**
 * Calls an edge app in this isolate with a queue that records what is sent: `wire` holds the
 * message bodies as sent, `sent` the records they carry.
 * @param deps the app's state: fresh by default (a cold isolate); pass another harness's `deps`
 *   to call the same isolate's state with other bindings (a store or queue going down)
 */
export function harness(overrides: Partial<AppEnv> = {}, deps: EdgeDeps = defaultDeps()) {
  const app = createApp(deps);
  const wire: LogLine[] = [];
  const sent: SentRecord[] = [];
  const take = (body: LogLine) => {
    if (typeof body !== 'string') throw new TypeError(`queue bodies are NDJSON lines, got ${typeof body}`);
    wire.push(body);
    const record = JSON.parse(body) as Record<string, unknown>;
    sent.push({ kind: record.schema === 'event/v1' ? 'event' : 'impression', record });
  };
  const queue = {
    async send(body: LogLine) {
      take(body);
    },
    async sendBatch(msgs: Iterable<{ body: LogLine }>) {
      for (const m of msgs) take(m.body);
    },
  } as unknown as Queue;
  const e = { ...(env as AppEnv), LOG_QUEUE: queue, ...overrides } as AppEnv;
  const pending: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => pending.push(p), passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  async function call(path: string, init?: RequestInit): Promise<Response> {
    const r = await app.fetch(new Request(`https://edge.test${path}`, init), e, ctx);
    await Promise.all(pending.splice(0));
    return r;
  }
  async function json(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }
  return { env: e, deps, sent, wire, call, json };
}

/**
 * Waits, when need be, until the rate limiters' current window has at least `marginMs` left.
 * Miniflare's rate-limit binding counts in fixed windows aligned to the epoch (60 s here); a loop
 * that counts acceptances up to a limit must not straddle a window's end, where the count starts
 * over (a flake seen about once in a hundred runs).
 */
export async function clearOfRateWindowEdge(marginMs: number, periodMs = 60_000): Promise<void> {
  const left = periodMs - (Date.now() % periodMs);
  if (left < marginMs) await new Promise((res) => setTimeout(res, left + 50));
}
