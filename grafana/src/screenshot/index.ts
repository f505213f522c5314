export { chromiumPath, CHROMIUM_FLAGS, launchChromium } from './chromium.ts';
export { screenshotPage, type ChartPage, type HtmlPage } from './screenshot-page.ts';
