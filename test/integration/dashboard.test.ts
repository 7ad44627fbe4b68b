import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardData } from '../../gpu-batch/serve/dashboard/dashboard-data.js';
import { dashboardRoute } from '../../gpu-batch/serve/dashboard/dashboard-route.js';
import { MemoryStore } from '../../shared/store/memory-store.js';
import { DASHBOARD_TOKEN, dashboardWorld, type DashboardWorld } from '../support/dashboard-fixture.js';

/** The operator dashboard's data and access, on a bucket with real runs, a quarantine and a rollback. */
describe('batch serve /dashboard', () => {
  let w: DashboardWorld;
  beforeAll(async () => {
    w = await dashboardWorld();
  });
  afterAll(async () => {
    await w?.close();
  });

  it('needs the operator token: header, or ?token= once, which becomes a cookie', async () => {
    const url = `${w.server.url}/dashboard`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(`${url}?token=wrong-token-wrong-token`, { redirect: 'manual' })).status).toBe(401);
    const hop = await fetch(`${url}?token=${DASHBOARD_TOKEN}`, { redirect: 'manual' });
    expect(hop.status).toBe(303);
    expect(hop.headers.get('location')).toBe('/dashboard');
    const cookie = hop.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const page = await fetch(url, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<canvas id="chart-gate">');
    expect((await fetch(`${url}/data`, { headers: { authorization: `Bearer ${DASHBOARD_TOKEN}` } })).status).toBe(200);
    const off = dashboardRoute(new MemoryStore(), '/nonexistent', undefined);
    expect((await off.request('/', { headers: { authorization: 'Bearer anything-at-all' } })).status).toBe(503);
  });

  it('shows the history with the rollback marked, runs with steps and gate intervals, surfaces, quarantine', async () => {
    const d = (await (await fetch(`${w.server.url}/dashboard/data`, { headers: { authorization: `Bearer ${DASHBOARD_TOKEN}` } })).json()) as DashboardData;
    expect(w.published.length).toBeGreaterThanOrEqual(2);
    const newest = w.published.at(-1)!;
    expect(d.serving).toMatchObject({ reason: 'rollback' });
    expect(d.serving!.version).not.toBe(newest);
    expect(d.versions.find((v) => v.version === newest)).toMatchObject({ rolled_back: true, serving: false });
    expect(d.versions.find((v) => v.version === d.serving!.version)).toMatchObject({ serving: true, rolled_back: false });
    // The last day is too thin for a holdout, so its version has no offline metrics (shown as —).
    expect(d.versions.filter((v) => v.offline).length).toBeGreaterThanOrEqual(2);
    expect(d.runs).toHaveLength(3);
    for (const r of d.runs) expect(r.steps.map((s) => s.name)).toContain('list');
    const gated = d.runs.filter((r) => r.gate?.evaluated);
    expect(gated.length).toBeGreaterThanOrEqual(1);
    for (const r of gated) {
      expect(r.gate!.lo!).toBeLessThanOrEqual(r.gate!.estimate!);
      expect(r.gate!.estimate!).toBeLessThanOrEqual(r.gate!.hi!);
    }
    expect(d.quarantine).toHaveLength(1);
    expect(d.quarantine[0]!.reason).toMatch(/line 1/);
    expect(d.surfaces.length).toBeGreaterThanOrEqual(1);
    expect(typeof d.surfaces[0]!.epsilon).toBe('number');
  });

  it('online CTR and explored share per version and day match the logs counted here', async () => {
    const d = (await (await fetch(`${w.server.url}/dashboard/data`, { headers: { authorization: `Bearer ${DASHBOARD_TOKEN}` } })).json()) as DashboardData;
    const clicked = new Set(w.events.filter((e) => e.type === 'click').map((e) => `${e.impression_id}`));
    const expected = new Map<string, { impressions: number; clicked: number; shown: number; explored: number }>();
    const seen = new Set<string>();
    for (const i of w.impressions) {
      if (seen.has(i.impression_id)) continue;
      seen.add(i.impression_id);
      const key = `${new Date(i.ts).toISOString().slice(0, 10)} ${i.policy_version}`;
      const row = expected.get(key) ?? { impressions: 0, clicked: 0, shown: 0, explored: 0 };
      row.impressions++;
      row.clicked += clicked.has(i.impression_id) ? 1 : 0;
      row.shown += i.items.length;
      row.explored += i.items.filter((it) => it.explored).length;
      expected.set(key, row);
    }
    const got = new Map(d.online.map((r) => [`${r.day} ${r.policy_version}`, { impressions: r.impressions, clicked: r.clicked, shown: r.shown, explored: r.explored }]));
    expect(got).toEqual(expected);
    for (const r of d.online) expect(r.ctr).toBeCloseTo(r.clicked / r.impressions, 12);
    expect(new Set(d.online.map((r) => r.day)).size).toBe(3);
  });
});
