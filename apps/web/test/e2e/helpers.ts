import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import {
  AdminEventViewSchema,
  EventViewSchema,
  type CreateEventBody,
  type PatchEventBody,
} from '@frequency/contracts';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { repoRoot } from './stack';

export const stack = () => inject('stack');

/** Debian's Chromium, never a downloaded one. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export const viewports = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

/** A fresh browser profile: its own localStorage, i.e. one fan. */
export async function newFan(browser: Browser, viewport: keyof typeof viewports = 'desktop'): Promise<BrowserContext> {
  return browser.newContext({ viewport: viewports[viewport], locale: 'de-AT', timezoneId: 'Europe/Vienna' });
}

/**
 * Every Content-Security-Policy violation on the context's pages: the browser's own
 * `securitypolicyviolation` events (hooked before any page script runs) and its console reports.
 */
export async function watchCspViolations(context: BrowserContext): Promise<() => string[]> {
  const violations: string[] = [];
  await context.exposeBinding('__cspViolation', (_source, text: string) => {
    violations.push(text);
  });
  await context.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (event) => {
        (window as unknown as { __cspViolation: (text: string) => void }).__cspViolation(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`);
      },
      true,
    );
  });
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return () => [...violations];
}

export function uniqueEventId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

async function opsCall(method: 'POST' | 'PATCH' | 'GET', path: string, body?: unknown): Promise<unknown> {
  const { waitingRoomUrl, opsToken } = stack();
  const response = await fetch(`${waitingRoomUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${opsToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}

/** A small event through the ops API, so each test has its own queue and stock. */
export async function createEvent(overrides: Partial<CreateEventBody> & { id: string }): Promise<CreateEventBody> {
  const body: CreateEventBody = {
    name: 'Frequency Festival 20XX',
    venue: 'St. Pölten, Austria',
    ticketsTotal: 100,
    maxPerOrder: 4,
    opensAt: new Date(Date.now() - 1_000).toISOString(),
    admissionRatePerSecond: 0,
    maxActiveCheckouts: 100,
    ...overrides,
  };
  await opsCall('POST', '/v1/admin/events', body);
  return body;
}

export async function patchEvent(eventId: string, body: PatchEventBody): Promise<void> {
  await opsCall('PATCH', `/v1/admin/events/${eventId}`, body);
}

export async function adminEvent(eventId: string) {
  return AdminEventViewSchema.parse(await opsCall('GET', `/v1/admin/events/${eventId}`));
}

export async function publicEvent(eventId: string) {
  const response = await fetch(`${stack().waitingRoomUrl}/v1/events/${eventId}`);
  return EventViewSchema.parse(await response.json());
}

/**
 * Serious and critical axe findings on the page once its transitions have settled; minor ones are
 * reported, not failed. A button caught mid-way through its colour transition (e.g. just enabled)
 * has a blend of two backgrounds that axe would judge instead of either real one.
 */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity)
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(blocking, `accessibility problems on ${where}`).toEqual([]);
}

export const screenshotDir = join(repoRoot, 'docs', 'screenshots');

/** The page at desktop (1280) and phone (390) width, into docs/screenshots/<name>-{desktop,phone}.png. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const original = page.viewportSize();
  for (const [size, viewport] of Object.entries(viewports)) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(screenshotDir, `${name}-${size}.png`), fullPage: true, animations: 'disabled' });
  }
  if (original) await page.setViewportSize(original);
}
