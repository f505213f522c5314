// The page side of the screenshot (runs in Chromium, bundled into the page's script): read the
// model the screenshot set, and say when the drawing is done.
import { DRAWN_ATTRIBUTE, MODEL_GLOBAL } from '../page-contract.ts';

/** The model screenshotPage set before this script ran; its type is the page's to know. */
export function pageModel<T>(): T {
  return (window as unknown as Record<string, T>)[MODEL_GLOBAL] as T;
}

/** Tells the screenshot the page is drawn: it waits for this before taking the picture. */
export function markDrawn(): void {
  document.body.setAttribute(DRAWN_ATTRIBUTE, 'yes');
}
