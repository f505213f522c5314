import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectAccessible, launchBrowser, newFan, screenshots, stack } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

describe('the seeded event and the language', () => {
  test('/ shows Frequency Festival 20XX in German by default, with the countdown and the tickets left', async () => {
    const context = await newFan(browser);
    const page = await context.newPage();
    await page.goto(stack().webUrl);
    await page.getByRole('heading', { name: 'Frequency Festival 20XX', level: 1 }).waitFor();
    await page.getByText('St. Pölten, Austria').waitFor();
    await page.getByTestId('countdown').waitFor();
    // de-AT groups digits with a narrow space: 1 000 000.
    await expect
      .poll(async () => (await page.getByTestId('tickets-remaining').textContent())?.replace(/\D/g, ''))
      .toBe('1000000');
    await page.getByRole('button', { name: 'In die Warteschlange' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    await expectAccessible(page, 'the home page');
    await screenshots(page, 'home');
    await context.close();
  });

  test('?lang=en picks English, the switch changes it, and the choice is remembered', async () => {
    const context = await newFan(browser, 'phone');
    const page = await context.newPage();
    await page.goto(`${stack().webUrl}/?lang=en`);
    await page.getByRole('heading', { name: 'Get your place in line' }).waitFor();
    await page.getByRole('button', { name: 'Join the queue' }).waitFor();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    await expectAccessible(page, 'the home page in English');
    await screenshots(page, 'home-en');

    await page.getByRole('button', { name: 'Deutsch' }).click();
    await page.getByRole('heading', { name: 'Sichere dir deinen Platz' }).waitFor();
    expect(await page.getByRole('button', { name: 'Deutsch' }).getAttribute('aria-pressed')).toBe('true');

    await page.getByRole('button', { name: 'English' }).click();
    await page.goto(stack().webUrl);
    await page.getByRole('heading', { name: 'Get your place in line' }).waitFor();

    // The switch is reachable and operable by keyboard alone.
    await page.getByRole('button', { name: 'Deutsch' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Sichere dir deinen Platz' }).waitFor();
    await context.close();
  });
});
