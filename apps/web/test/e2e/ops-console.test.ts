import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  adminEvent,
  createEvent,
  expectAccessible,
  launchBrowser,
  newFan,
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

describe('the ops console', () => {
  test('signs in with the ops token, shows live figures, and a rate change shows in them', async () => {
    const eventId = uniqueEventId('ops');
    await createEvent({ id: eventId, admissionRatePerSecond: 1, maxActiveCheckouts: 500 });
    await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${stack().waitingRoomUrl}/v1/events/${eventId}/queue`, { method: 'POST' }),
      ),
    );
    const context = await newFan(browser);
    const page = await context.newPage();
    await page.goto(`${stack().webUrl}/ops?event=${eventId}`);

    await page.getByLabel('Ops-Token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByText('Token abgelehnt.').waitFor();
    await expectAccessible(page, 'the ops sign-in');
    await screenshots(page, 'ops-sign-in');

    await page.getByLabel('Ops-Token').fill(stack().opsToken);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await expect.poll(() => page.getByTestId('figure-rate').textContent(), { timeout: 15_000 }).toMatch(/ \/ 1$/);
    await expect.poll(() => page.getByTestId('figure-rps').textContent(), { timeout: 15_000 }).toMatch(/^\d/);
    await expect.poll(() => page.getByTestId('figure-p99').textContent(), { timeout: 15_000 }).toMatch(/ms$/);

    await page.getByLabel('Einlassrate pro Sekunde').fill('7');
    await page.getByRole('button', { name: 'Übernehmen …' }).first().click();
    const dialog = page.getByRole('alertdialog', { name: 'Änderung bestätigen' });
    await dialog.getByText('Einlassrate pro Sekunde: 1 → 7').waitFor();
    await dialog.getByRole('button', { name: 'Bestätigen' }).click();
    await page.getByText('Übernommen: Einlassrate pro Sekunde = 7').waitFor();
    await page.getByText('In Kraft').waitFor();
    await expect.poll(() => page.getByTestId('figure-rate').textContent()).toMatch(/ \/ 7$/);
    expect((await adminEvent(eventId)).config.admissionRatePerSecond).toBe(7);

    // The change is in the audit trail under the token's name (OPS_TOKEN is "ops"), with old → new.
    const trail = page.getByTestId('audit-trail');
    const rateRow = trail.getByTestId('audit-entry').filter({ hasText: 'Einlassrate pro Sekunde' });
    await expect.poll(() => rateRow.count(), { timeout: 15_000 }).toBe(1);
    expect(await rateRow.getByRole('cell').allTextContents()).toEqual([
      expect.stringMatching(/^\d{1,2}:\d{2}:\d{2}$/),
      'ops',
      'Einlassrate pro Sekunde',
      '1 → 7',
    ]);
    await trail.getByTestId('audit-entry').filter({ hasText: 'Veranstaltung angelegt' }).waitFor();

    await page.getByRole('button', { name: 'Einlass pausieren' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Bestätigen' }).click();
    await expect.poll(() => page.getByTestId('figure-phase').textContent()).toContain('pausiert');
    expect((await adminEvent(eventId)).config.paused).toBe(true);
    const pausedRow = trail.getByTestId('audit-entry').filter({ hasText: 'Pausiert' });
    await expect.poll(() => pausedRow.textContent(), { timeout: 15_000 }).toContain('nein → ja');
    // Newest first: the pause is above the rate change.
    await expect
      .poll(async () => (await trail.getByTestId('audit-entry').allTextContents()).map((row) => row.includes('Pausiert')))
      .toEqual([true, false, false]);
    await page.getByRole('button', { name: 'Einlass fortsetzen' }).waitFor();

    await expectAccessible(page, 'the ops console');
    await screenshots(page, 'ops-console');

    // The token stays for the tab's session: a reload goes straight to the figures.
    await page.reload();
    await page.getByTestId('ops-figures').waitFor();
    await context.close();
  });

  test('the ops routes of web pass the token to the ops API, which alone decides', async () => {
    const wrong = await fetch(`${stack().webUrl}/api/ops/audit?limit=5`, {
      headers: { authorization: 'Bearer wrong-token-wrong-token' },
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const eventId = uniqueEventId('audit');
    await createEvent({ id: eventId });
    const ok = await fetch(`${stack().webUrl}/api/ops/audit?event=${eventId}&limit=5`, {
      headers: { authorization: `Bearer ${stack().opsToken}` },
    });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { entries: { actor: string; action: string; eventId: string }[] };
    expect(body.entries).toEqual([expect.objectContaining({ actor: 'ops', action: 'create_event', eventId })]);
  });

  test('the metrics route refuses a caller without the ops token', async () => {
    const response = await fetch(`${stack().webUrl}/api/ops/metrics?event=frequency-20xx`, {
      headers: { authorization: 'Bearer wrong-token-wrong-token' },
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const ok = await fetch(`${stack().webUrl}/api/ops/metrics?event=frequency-20xx`, {
      headers: { authorization: `Bearer ${stack().opsToken}` },
    });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { services: { service: string; up: boolean }[] };
    expect(body.services.map((s) => [s.service, s.up])).toEqual([
      ['waiting-room', true],
      ['checkout', true],
      ['worker', true],
    ]);
  });
});
