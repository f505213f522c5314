// The page side of the screenshot (runs in Chromium, bundled into the page's script): hand the
// model the screenshot set to the page's drawing code, then mark the page drawn, which is what the
// screenshot waits for before it takes the picture.
import { DRAWN_ATTRIBUTE, MODEL_GLOBAL } from '../page-contract.ts';

/**
 * Draws the page from its model. The model arrives as JSON, so its type is the caller's to state:
 * it is whatever the Node side passed to screenshotPage along with this script.
 */
export function drawPage(draw: (model: unknown) => void): void {
  draw((window as unknown as Record<string, unknown>)[MODEL_GLOBAL]);
  document.body.setAttribute(DRAWN_ATTRIBUTE, 'yes');
}
