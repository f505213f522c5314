import type { EventConfig, PatchEventBody } from '@frequency/contracts';

/** A change ops asked for, shown as old → new until they confirm it. */
export interface PendingChange {
  what: string;
  from: string;
  to: string;
  body: PatchEventBody;
}

/** `datetime-local` wants local wall time without a zone. */
export function toLocalInput(iso: string): string {
  const date = new Date(iso);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 19);
}

/** A rate of 0 closes the gate, so it is allowed; a negative or unreadable one is not a change. */
export function rateChange(draft: string, config: EventConfig, what: string): PendingChange | null {
  const value = Number(draft);
  if (!Number.isFinite(value) || value < 0) return null;
  return { what, from: String(config.admissionRatePerSecond), to: String(value), body: { admissionRatePerSecond: value } };
}

/** At least one checkout window must stay open, else nobody admitted could ever buy. */
export function capChange(draft: string, config: EventConfig, what: string): PendingChange | null {
  const value = Number(draft);
  if (!Number.isInteger(value) || value < 1) return null;
  return { what, from: String(config.maxActiveCheckouts), to: String(value), body: { maxActiveCheckouts: value } };
}

/** The draft is local wall time; the API gets the instant it names. */
export function opensAtChange(draft: string, config: EventConfig, what: string): PendingChange | null {
  const date = new Date(draft);
  if (Number.isNaN(date.getTime())) return null;
  return { what, from: config.opensAt, to: date.toISOString(), body: { opensAt: date.toISOString() } };
}

export function pauseChange(config: EventConfig, what: string): PendingChange {
  return { what, from: String(config.paused), to: String(!config.paused), body: { paused: !config.paused } };
}

/**
 * Whether the live config reports every field of an applied change. Instants are compared as
 * instants: the API may spell the same moment differently (milliseconds, zone).
 */
export function isInEffect(body: PatchEventBody, config: EventConfig): boolean {
  return Object.entries(body).every(([key, value]) => {
    if (key === 'opensAt') return Date.parse(config.opensAt) === Date.parse(String(value));
    return (config as Record<string, unknown>)[key] === value;
  });
}
