import { existsSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Opens `url` in Debian's headless Chromium (installed by `.ci/run`), hands the page to `use`,
 * and fails on any console error or page error the visit produced. The browser is closed always.
 */
export async function inChromium(url: string, use: (page: Page) => Promise<void>, viewport?: { width: number; height: number }): Promise<void> {
  const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  expect(executablePath, 'Debian chromium is installed (.ci/run installs it)').toBeDefined();
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage(viewport ? { viewport } : {});
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await use(page);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
}

/** Waits until the page's charts report they rendered (`window.__chartsRendered`), then checks each canvas has a size. */
export async function expectCharts(page: Page, ids: readonly string[]): Promise<void> {
  await page.waitForFunction((n) => (window as unknown as { __chartsRendered?: number }).__chartsRendered === n, ids.length, { timeout: 15_000 });
  for (const id of ids) {
    const box = await page.locator(`canvas#${id}`).boundingBox();
    expect(box?.width, id).toBeGreaterThan(100);
  }
}
