import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCharts, inChromium } from '../support/chromium.js';
import { DASHBOARD_TOKEN, dashboardWorld, type DashboardWorld } from '../support/dashboard-fixture.js';

/** Where the screenshot goes (gitignored; CI keeps it as an artifact). */
const SHOTS = join(import.meta.dirname, '../../.tmp/screenshots');
const CHARTS = ['chart-ctr', 'chart-explored', 'chart-offline', 'chart-gate', 'chart-steps'];

/** The operator dashboard in headless Chromium, served by `batch serve` on a bucket with history. */
describe('operator dashboard in Chromium', () => {
  let w: DashboardWorld;
  beforeAll(async () => {
    w = await dashboardWorld();
  });
  afterAll(async () => {
    await w?.close();
  });

  it('logs in with ?token=, draws every chart, marks the rollback, logs no console error', async () => {
    await inChromium(
      `${w.server.url}/dashboard?token=${DASHBOARD_TOKEN}`,
      async (page) => {
        // The token left the address bar for a cookie.
        expect(new URL(page.url()).search).toBe('');
        await expectCharts(page, CHARTS);
        for (const id of CHARTS) {
          // Drawn: the canvas holds non-transparent pixels (axes, bars, lines).
          const inked = await page.evaluate((cid) => {
            const c = document.getElementById(cid) as HTMLCanvasElement;
            const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) n++;
            return n;
          }, id);
          expect(inked, id).toBeGreaterThan(500);
        }
        const newest = w.published.at(-1)!;
        await expect(page.locator('#versions td.rolled-back').first().textContent()).resolves.toBe(newest);
        await expect(page.locator('#versions td.serving').count()).resolves.toBe(1);
        await expect(page.locator('#quarantine tbody tr').count()).resolves.toBe(1);
        await expect(page.locator('#runs tbody tr').count()).resolves.toBe(3);
        await mkdir(SHOTS, { recursive: true });
        await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });
        expect(existsSync(join(SHOTS, 'dashboard.png'))).toBe(true);
      },
      { width: 1280, height: 900 },
    );
  });
});
