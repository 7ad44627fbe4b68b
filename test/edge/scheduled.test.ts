import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../edge/index.js';
import type { AppEnv } from '../../edge/env.js';

describe('scheduled (Cron Trigger → batch tier trigger)', () => {
  afterEach(() => vi.restoreAllMocks());

  async function tick(overrides: Partial<AppEnv>) {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '*/15 * * * *', scheduledTime: Date.now() }), { ...(env as AppEnv), ...overrides }, ctx);
    await waitOnExecutionContext(ctx);
  }

  it('POSTs to the trigger URL with the bearer token', async () => {
    const calls: Array<{ url: string; method: string; auth: string | null }> = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const req = new Request(input as RequestInfo, init);
      calls.push({ url: req.url, method: req.method, auth: req.headers.get('authorization') });
      return new Response('{"started":true}', { status: 202 });
    });
    await tick({ BATCH_TRIGGER_URL: 'http://batch.test/trigger', BATCH_TRIGGER_TOKEN: 'trigger-token-0123456789' } as Partial<AppEnv>);
    expect(calls).toEqual([{ url: 'http://batch.test/trigger', method: 'POST', auth: 'Bearer trigger-token-0123456789' }]);
  });

  it('does nothing without a trigger URL', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    await tick({ BATCH_TRIGGER_URL: '' });
    expect(spy).not.toHaveBeenCalled();
  });

  it('an unreachable batch tier is logged, not thrown (the next tick tries again)', async () => {
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('connection refused'));
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(tick({ BATCH_TRIGGER_URL: 'http://batch.test/trigger' })).resolves.toBeUndefined();
    expect(errors.mock.calls.flat().join(' ')).toMatch(/batch trigger failed: connection refused/);
  });
});
