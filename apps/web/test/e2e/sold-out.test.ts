import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  adminEvent,
  createEvent,
  expectAccessible,
  launchBrowser,
  newFan,
  patchEvent,
  screenshots,
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

describe('a sale that sells out', () => {
  test('fans still waiting see the sold-out page, and so does a newcomer', async () => {
    const eventId = uniqueEventId('soldout');
    await createEvent({ id: eventId, ticketsTotal: 2, maxPerOrder: 2 });
    const first = await newFan(browser);
    const second = await newFan(browser, 'phone');
    const buyer = await first.newPage();
    const waiter = await second.newPage();
    for (const page of [buyer, waiter]) {
      await page.goto(`${stack().webUrl}/events/${eventId}`);
      await page.getByRole('button', { name: 'In die Warteschlange' }).click();
      await page.getByRole('heading', { name: 'Du bist in der Warteschlange' }).waitFor();
      await expect.poll(() => page.getByTestId('queue-position').textContent()).toMatch(/^\d+$/);
    }
    expect(await buyer.getByTestId('queue-position').textContent()).toBe('1');
    expect(await waiter.getByTestId('queue-position').textContent()).toBe('2');

    // Admit exactly the first fan, then close the gate again.
    await patchEvent(eventId, { admissionRatePerSecond: 50, maxActiveCheckouts: 1 });
    await buyer.getByRole('heading', { name: 'Du bist dran!' }).waitFor({ timeout: 30_000 });
    await patchEvent(eventId, { admissionRatePerSecond: 0 });
    expect(await waiter.getByRole('heading', { name: 'Du bist in der Warteschlange' }).isVisible()).toBe(true);

    await buyer.getByRole('radio', { name: '2' }).check({ force: true });
    await buyer.getByLabel('Name').fill('Kim Beispiel');
    await buyer.getByLabel('E-Mail').fill('kim@example.org');
    await buyer.getByRole('button', { name: '2 Tickets kaufen' }).click();
    await expect.poll(async () => (await adminEvent(eventId)).ticketsRemaining).toBe(0);

    // The fan still in line learns it without having to do anything.
    await waiter.getByRole('heading', { name: 'Leider ausverkauft' }).waitFor({ timeout: 30_000 });
    await expectAccessible(waiter, 'the sold-out page');
    await screenshots(waiter, 'sold-out');
    await buyer.getByRole('heading', { name: 'Deine Tickets sind bestätigt' }).waitFor({ timeout: 30_000 });

    const newcomer = await (await newFan(browser)).newPage();
    await newcomer.goto(`${stack().webUrl}/events/${eventId}`);
    await newcomer.getByRole('heading', { name: 'Leider ausverkauft' }).waitFor();
    expect(await newcomer.getByRole('button', { name: 'In die Warteschlange' }).count()).toBe(0);
    await newcomer.context().close();
    await first.close();
    await second.close();
  });
});
