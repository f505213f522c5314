// Headless Chromium (Debian's, through playwright-core: never a downloaded browser) draws the page
// with uPlot and writes the whole dashboard as one PNG.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { bundleForPage } from './bundle.ts';
import type { DashboardModel, PageItem } from './page.ts';

const require = createRequire(import.meta.url);
const UPLOT_CSS = require.resolve('uplot/dist/uPlot.min.css');
const DRAW_TS = fileURLToPath(new URL('./browser/draw.ts', import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export async function screenshot(
  browser: Browser,
  page: { html: string; items: PageItem[]; width: number; height: number },
  file: string,
): Promise<void> {
  const context = await browser.newContext({
    viewport: { width: page.width, height: page.height },
    deviceScaleFactor: 1,
    timezoneId: 'UTC',
  });
  try {
    const tab = await context.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (err) => errors.push(err.message));
    await tab.setContent(page.html);
    await tab.addStyleTag({ path: UPLOT_CSS });
    const model: DashboardModel = { panels: page.items };
    await tab.evaluate((m) => {
      (globalThis as unknown as { DASHBOARD: DashboardModel }).DASHBOARD = m;
    }, model);
    await tab.addScriptTag({ content: await bundleForPage(DRAW_TS) });
    if (errors.length > 0) throw new Error(`the page failed to draw: ${errors.join('; ')}`);
    await tab.waitForSelector('body[data-drawn="yes"]', { timeout: 10_000 });
    await tab.screenshot({ path: file, fullPage: true });
  } finally {
    await context.close();
  }
}
