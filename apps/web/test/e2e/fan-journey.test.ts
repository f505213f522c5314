import { createHash } from 'node:crypto';
import { JoinResponseSchema, TicketCodeSchema } from '@frequency/contracts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  adminEvent,
  createEvent,
  expectAccessible,
  launchBrowser,
  newFan,
  patchEvent,
  publicEvent,
  screenshots,
  stack,
  uniqueEventId,
  watchCspViolations,
} from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

/** Other fans joining through the API, so the line has a crowd to be shuffled into. */
async function crowdJoins(eventId: string, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async () => {
      const response = await fetch(`${stack().waitingRoomUrl}/v1/events/${eventId}/queue`, { method: 'POST' });
      expect(response.status).toBe(201);
      JoinResponseSchema.parse(await response.json());
    }),
  );
}

describe('a fan from the pre-queue to confirmed tickets', () => {
  test('joins before opening, is shuffled in, waits, keeps the place on reload, is admitted and buys two tickets', async () => {
    const eventId = uniqueEventId('journey');
    // Opening is far off until the fan and the crowd are in the pre-queue; then ops move it close.
    // Admission stays at 0 until the test has seen the waiting state; then ops open the gate.
    await createEvent({ id: eventId, opensAt: new Date(Date.now() + 3_600_000).toISOString(), ticketsTotal: 50 });
    const context = await newFan(browser);
    const cspViolations = await watchCspViolations(context);
    const page = await context.newPage();
    const response = await page.goto(`${stack().webUrl}/events/${eventId}`);

    // The page's policy: scripts only by this response's nonce, fetches only to the two APIs.
    const policy = response?.headers()['content-security-policy'] ?? '';
    expect(policy).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'(;|$)/);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(policy).toContain(`connect-src 'self' ${stack().waitingRoomUrl} ${stack().checkoutUrl}`);
    expect(policy).toContain("worker-src 'self' blob:");
    expect(response?.headers()['strict-transport-security']).toMatch(/^max-age=\d+/);

    await page.getByTestId('countdown').waitFor();
    await expect.poll(() => page.getByTestId('phase').textContent()).toBe('Vor-Warteschlange offen');
    await expect.poll(() => page.getByTestId('tickets-remaining').textContent()).toBe('50');
    await expectAccessible(page, 'the event page before opening');

    await page.getByRole('button', { name: 'In die Warteschlange' }).click();
    await page.getByRole('heading', { name: 'Du bist in der Vor-Warteschlange' }).waitFor();
    const token = await page.evaluate((id) => localStorage.getItem(`frequency:queue:${id}`), eventId);
    expect(token).toContain('queueToken');
    const commitment = await page.getByTestId('shuffle-commitment').textContent();
    expect(commitment).toBe((await publicEvent(eventId)).shuffleCommitment);
    await crowdJoins(eventId, 24);
    await expectAccessible(page, 'the pre-queue');
    await screenshots(page, 'queue-prequeue');
    await patchEvent(eventId, { opensAt: new Date(Date.now() + 3_000).toISOString() });
    // The pre-queue polls at the server's pace, which was set for an opening an hour away; a reload
    // (as a fan would do) asks at once and picks up the new pace.
    await page.reload();
    await page.getByRole('heading', { name: /^Du bist in der (Vor-)?Warteschlange$/ }).waitFor();

    // Opening: the pre-queue is shuffled and the fan gets a place in line.
    await page.getByRole('heading', { name: 'Du bist in der Warteschlange' }).waitFor({ timeout: 45_000 });
    await expect.poll(() => page.getByTestId('queue-position').textContent()).toMatch(/^\d+$/);
    const position = await page.getByTestId('queue-position').textContent();
    expect(Number(position)).toBeGreaterThanOrEqual(1);
    expect(Number(position)).toBeLessThanOrEqual(25);
    expect(await page.getByTestId('queue-ahead').textContent()).toBe(String(Number(position) - 1));
    await expect.poll(() => page.getByTestId('queue-announcer').textContent()).toContain(`Dein Platz: ${position}`);
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).not.toBeNull();

    // The seed is revealed after opening, and it is the one committed to before.
    await page.getByTestId('shuffle-seed').waitFor({ timeout: 30_000 });
    const seed = (await page.getByTestId('shuffle-seed').textContent()) ?? '';
    expect(createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex')).toBe(commitment);
    await expectAccessible(page, 'the queue');
    await screenshots(page, 'queue-waiting');

    // A reload and a second tab keep the same place.
    await page.reload();
    await page.getByRole('heading', { name: 'Du bist in der Warteschlange' }).waitFor();
    await expect.poll(() => page.getByTestId('queue-position').textContent()).toBe(position);
    expect(await page.evaluate((id) => localStorage.getItem(`frequency:queue:${id}`), eventId)).toContain(
      JSON.parse(token ?? '{}').queueToken,
    );
    const secondTab = await context.newPage();
    await secondTab.goto(`${stack().webUrl}/events/${eventId}`);
    await expect.poll(() => secondTab.getByTestId('queue-position').textContent()).toBe(position);
    await secondTab.close();
    expect((await adminEvent(eventId)).waiting).toBe(25);

    await patchEvent(eventId, { admissionRatePerSecond: 100 });
    await page.getByRole('heading', { name: 'Du bist dran!' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('checkout-window').waitFor();

    // Validation before anything is sent.
    await page.getByRole('button', { name: '1 Ticket kaufen' }).click();
    await page.getByText('Bitte gib deinen Namen ein.').waitFor();
    await page.getByText('Bitte gib eine gültige E-Mail-Adresse ein.').waitFor();
    await expectAccessible(page, 'the checkout form with errors');

    await page.getByRole('radio', { name: '2' }).check({ force: true });
    await page.getByLabel('Name').fill('Alex Muster');
    await page.getByLabel('E-Mail').fill('alex@example.org');
    await screenshots(page, 'checkout');
    // A double click places one order. It selects nothing, neither the button's label nor the
    // order view its second click lands on once the form has gone.
    const buy = page.getByRole('button', { name: '2 Tickets kaufen' });
    expect(await buy.evaluate((button) => getComputedStyle(button).userSelect)).toBe('none');
    await buy.dblclick();
    expect(await page.evaluate(() => window.getSelection()?.toString())).toBe('');

    await page.getByRole('heading', { name: 'Deine Tickets sind bestätigt' }).waitFor({ timeout: 30_000 });
    const codes = await page.getByTestId('ticket-code').allTextContents();
    expect(codes).toHaveLength(2);
    for (const code of codes) expect(TicketCodeSchema.safeParse(code).success).toBe(true);
    expect(new Set(codes).size).toBe(2);
    await expect.poll(() => page.getByRole('img', { name: /^QR-Code für Ticket/ }).count()).toBe(2);
    expect((await adminEvent(eventId)).ticketsSold).toBe(2);
    await expectAccessible(page, 'the confirmed tickets');
    expect(await page.evaluate(() => window.getSelection()?.toString())).toBe('');
    await screenshots(page, 'tickets');
    // A double click that starts on text still selects it: a fan can copy a ticket code.
    await page.getByTestId('ticket-code').first().dblclick();
    expect(await page.evaluate(() => window.getSelection()?.toString())).not.toBe('');

    await page.getByText('Die Bestätigung per E-Mail an alex@example.org ist unterwegs', { exact: false }).waitFor();

    // The tickets survive a reload.
    await page.reload();
    await page.getByRole('heading', { name: 'Deine Tickets sind bestätigt' }).waitFor();
    expect(await page.getByTestId('ticket-code').allTextContents()).toEqual(codes);

    // A fan back days later: the admission has long expired, but the order's receipt still reads it.
    // The page kept the receipt per order; here the admission token is spoilt and the stored view
    // forgotten, so the page must ask checkout again, and may only succeed through the receipt.
    const orderRecord = (id: string) => `frequency:order:${id}`;
    const stored = JSON.parse((await page.evaluate((key) => localStorage.getItem(key), orderRecord(eventId))) ?? '{}') as {
      orderId: string;
    };
    expect(stored.orderId).toMatch(/^ord_/);
    const receipt = (await page.evaluate((id) => localStorage.getItem(`frequency:receipt:${id}`), stored.orderId)) ?? '';
    const receiptToken = JSON.parse(receipt) as string;
    const header = JSON.parse(Buffer.from(receiptToken.split('.')[0] ?? '', 'base64url').toString()) as { typ?: string };
    expect(header.typ).toBe('receipt+jwt');
    await page.evaluate((key) => {
      const record = JSON.parse(localStorage.getItem(key) ?? '{}') as Record<string, unknown>;
      localStorage.setItem(key, JSON.stringify({ ...record, admissionToken: 'long-expired', status: 'pending', tickets: null }));
    }, orderRecord(eventId));
    const reads: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'GET' && request.url().includes('/v1/orders/')) reads.push(request.headers()['authorization'] ?? '');
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Deine Tickets sind bestätigt' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('ticket-code').allTextContents()).toEqual(codes);
    expect(reads.length).toBeGreaterThan(0);
    expect(new Set(reads)).toEqual(new Set([`Bearer ${receiptToken}`]));
    // The whole journey, reloads, second tab and QR codes included, ran under the policy untouched.
    expect(cspViolations()).toEqual([]);
    await context.close();
  });

  test('leaving the queue frees the place and offers to join again', async () => {
    const eventId = uniqueEventId('leave');
    await createEvent({ id: eventId });
    const context = await newFan(browser, 'phone');
    const cspViolations = await watchCspViolations(context);
    const page = await context.newPage();
    await page.goto(`${stack().webUrl}/events/${eventId}`);
    await page.getByRole('button', { name: 'In die Warteschlange' }).click();
    await page.getByRole('heading', { name: 'Du bist in der Warteschlange' }).waitFor();
    await expect.poll(async () => (await adminEvent(eventId)).waiting).toBe(1);
    await page.getByRole('button', { name: 'Warteschlange verlassen' }).click();
    await page.getByRole('button', { name: 'Ja, verlassen' }).click();
    await page.getByRole('heading', { name: 'Du hast die Warteschlange verlassen' }).waitFor();
    expect(await page.evaluate((id) => localStorage.getItem(`frequency:queue:${id}`), eventId)).toBeNull();
    await expect.poll(async () => (await adminEvent(eventId)).waiting).toBe(0);
    await expectAccessible(page, 'the left page');
    await page.getByRole('button', { name: 'Wieder anstellen' }).click();
    await page.getByRole('heading', { name: 'Du bist in der Warteschlange' }).waitFor();
    expect(cspViolations()).toEqual([]);
    await context.close();
  });
});
