export { chromiumPath, CHROMIUM_FLAGS, launchChromium } from './chromium.ts';
export { screenshotPage, type ChartPage } from './screenshot-page.ts';
