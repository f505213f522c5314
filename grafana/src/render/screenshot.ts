// Headless Chromium (Debian's, through playwright-core: never a downloaded browser) draws the page
// with uPlot and writes the whole dashboard as one PNG.
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';
import type { PageItem } from './page.ts';

const require = createRequire(import.meta.url);
const UPLOT_JS = require.resolve('uplot/dist/uPlot.iife.min.js');
const UPLOT_CSS = require.resolve('uplot/dist/uPlot.min.css');
const DRAW_JS = new URL('./draw.browser.js', import.meta.url).pathname;

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
    await tab.addScriptTag({ path: UPLOT_JS });
    await tab.evaluate((items) => {
      (globalThis as unknown as { DASHBOARD: unknown }).DASHBOARD = { panels: items };
    }, page.items);
    await tab.addScriptTag({ path: DRAW_JS });
    if (errors.length > 0) throw new Error(`the page failed to draw: ${errors.join('; ')}`);
    await tab.waitForSelector('body[data-drawn="yes"]', { timeout: 10_000 });
    await tab.screenshot({ path: file, fullPage: true });
  } finally {
    await context.close();
  }
}
