// One page to one PNG. A chart page brings its script (TypeScript importing uPlot, bundled by
// esbuild) and its model: uPlot's stylesheet is added, the model set as a global, the script run,
// and the picture taken once the script has marked the page drawn; a script error fails the
// screenshot with the page's message instead of a picture of an empty page. A page without a
// script (a static SVG chart) is pictured as it loads.
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { bundleForPage } from './bundle.ts';
import { DRAWN_SELECTOR, MODEL_GLOBAL } from './page-contract.ts';

const require = createRequire(import.meta.url);
const UPLOT_CSS = require.resolve('uplot/dist/uPlot.min.css');

export interface HtmlPage {
  html: string;
  viewport: { width: number; height: number };
  /** The element to picture; the whole page when not given. */
  selector?: string;
}

export interface ChartPage extends HtmlPage {
  /** The page's script: a TypeScript file that draws the model through drawPage (./browser). */
  script: string;
  /** Set as the page's model before the script runs; JSON-serialisable. */
  model: unknown;
}

async function drawChart(tab: Page, page: ChartPage): Promise<void> {
  const errors: string[] = [];
  tab.on('pageerror', (err) => errors.push(err.message));
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
}

export async function screenshotPage(
  browser: Browser,
  page: HtmlPage | ChartPage,
  file: string,
): Promise<void> {
  const context = await browser.newContext({
    viewport: page.viewport,
    deviceScaleFactor: 1,
    timezoneId: 'UTC',
  });
  try {
    const tab = await context.newPage();
    await tab.setContent(page.html);
    if ('script' in page) await drawChart(tab, page);
    if (page.selector === undefined) await tab.screenshot({ path: file, fullPage: true });
    else await tab.locator(page.selector).screenshot({ path: file });
  } finally {
    await context.close();
  }
}
