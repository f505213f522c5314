import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createEvent,
  expectAccessible,
  launchBrowser,
  newFan,
  publicEvent,
  stack,
  uniqueEventId,
} from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

interface Watch {
  /** The check ("Wir prüfen deinen Browser …") was on the page at some point. */
  sawCheck: boolean;
  /** Highest progress the check showed; above 0 once the worker reported at least once. */
  maxProgress: number;
  /** Animation frames the page drew while the check was on screen. */
  framesWhileChecking: number;
}

declare global {
  interface Window {
    __watch: Watch;
  }
}

/**
 * Watches the page from its first script on: a requestAnimationFrame loop counts the frames drawn
 * while the check is shown (a main thread busy hashing would draw none), and a MutationObserver
 * notes every progress value the check displays.
 */
async function watch(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const state: Watch = { sawCheck: false, maxProgress: 0, framesWhileChecking: 0 };
    window.__watch = state;
    const look = () => {
      const bar = document.querySelector('[data-testid="challenge-progress"] [role="progressbar"]');
      if (!bar) return false;
      state.sawCheck = true;
      state.maxProgress = Math.max(
        state.maxProgress,
        Number(bar.getAttribute('aria-valuenow') ?? 0),
      );
      return true;
    };
    const frame = () => {
      if (look()) state.framesWhileChecking += 1;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    new MutationObserver(() => {
      look();
    }).observe(document, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['aria-valuenow'],
    });
  });
}

describe('an event that asks for proof of work', () => {
  test('a fan joins through the page: the browser check runs in a worker, shows its progress, and the page stays responsive', async () => {
    const bits = 16;
    const eventId = uniqueEventId('pow');
    await createEvent({ id: eventId, joinChallengeBits: bits });
    expect((await publicEvent(eventId)).joinChallengeBits).toBe(bits);

    // A lucky fan can solve in a few hashes, before the worker ever reports; fresh fans are tried
    // until one solve lasted long enough to show progress (each attempt ~e^-(reports) likely to be
    // that lucky), and that solve must have left the page drawing frames.
    let watched: Watch | null = null;
    for (let fan = 0; fan < 6 && (watched === null || watched.maxProgress === 0); fan += 1) {
      const page = await (await newFan(browser)).newPage();
      await watch(page);
      await page.goto(`${stack().webUrl}/events/${eventId}`);
      await expect.poll(() => page.getByTestId('phase').textContent()).toBe('Verkauf läuft');
      await page.getByRole('button', { name: 'In die Warteschlange' }).click();
      await page
        .getByRole('heading', { name: 'Du bist in der Warteschlange' })
        .waitFor({ timeout: 120_000 });
      await expect
        .poll(() => page.getByTestId('queue-position').textContent())
        .toBe(String(fan + 1));
      watched = await page.evaluate(() => window.__watch);
      expect(watched.sawCheck, 'the check is shown while solving').toBe(true);
      if (fan === 0) await expectAccessible(page, 'the queue after the browser check');
      await page.context().close();
    }
    expect(watched?.maxProgress ?? 0).toBeGreaterThan(0);
    expect(watched?.framesWhileChecking ?? 0).toBeGreaterThan(0);
  });

  test('the check is announced and labelled, in German and English', async () => {
    const eventId = uniqueEventId('pow-a11y');
    // High enough that the check is still on screen while the test reads it.
    await createEvent({ id: eventId, joinChallengeBits: 24 });
    const page = await (await newFan(browser)).newPage();
    for (const [lang, button, checking] of [
      ['de', 'In die Warteschlange', 'Wir prüfen deinen Browser …'],
      ['en', 'Join the queue', 'Checking your browser …'],
    ] as const) {
      await page.goto(`${stack().webUrl}/events/${eventId}?lang=${lang}`);
      await page.getByRole('button', { name: button }).click();
      await page.getByText(checking, { exact: true }).waitFor();
      expect(await page.getByTestId('challenge-announcer').getAttribute('aria-live')).toBe(
        'polite',
      );
      await page.getByRole('progressbar', { name: checking }).waitFor();
      await expectAccessible(page, `the browser check (${lang})`);
    }
    await page.context().close();
  });
});
