// One chart page to one PNG: the page's HTML with uPlot's stylesheet, its model set as a global,
// then its script (TypeScript importing uPlot, bundled by esbuild) run; the picture is taken once
// the script has marked the page drawn. A script error fails the screenshot with the page's message
// instead of a picture of an empty page.
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { bundleForPage } from './bundle.ts';
import { DRAWN_SELECTOR, MODEL_GLOBAL } from './page-contract.ts';

const require = createRequire(import.meta.url);
const UPLOT_CSS = require.resolve('uplot/dist/uPlot.min.css');

export interface ChartPage {
  html: string;
  /** The page's script: a TypeScript file that draws the model through drawPage (./browser). */
  script: string;
  /** Set as the page's model before the script runs; JSON-serialisable. */
  model: unknown;
  viewport: { width: number; height: number };
  /** The element to picture; the whole page when not given. */
  selector?: string;
}

export async function screenshotPage(
  browser: Browser,
  page: ChartPage,
  file: string,
): Promise<void> {
  const context = await browser.newContext({
    viewport: page.viewport,
    deviceScaleFactor: 1,
    timezoneId: 'UTC',
  });
  try {
    const tab = await context.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (err) => errors.push(err.message));
    await tab.setContent(page.html);
    await tab.addStyleTag({ path: UPLOT_CSS });
    await tab.evaluate(
      ([name, model]) => {
        (globalThis as unknown as Record<string, unknown>)[name] = model;
      },
      [MODEL_GLOBAL, page.model] as const,
    );
    await tab.addScriptTag({ content: await bundleForPage(page.script) });
    if (errors.length > 0) throw new Error(`the page failed to draw: ${errors.join('; ')}`);
    await tab.waitForSelector(DRAWN_SELECTOR, { timeout: 10_000 });
    if (page.selector === undefined) await tab.screenshot({ path: file, fullPage: true });
    else await tab.locator(page.selector).screenshot({ path: file });
  } finally {
    await context.close();
  }
}
