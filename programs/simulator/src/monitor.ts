import type { HttpClient } from './http.js';

/** One reading of the ops API (GET /v1/admin/events/{eventId}). */
export interface Reading {
  /** Milliseconds since the start of the run. */
  at: number;
  phase: string;
  waiting: number;
  admittedTotal: number;
  activeCheckouts: number;
  ticketsRemaining: number;
  ticketsSold: number;
}

/**
 * Reads the event's live figures once a second through the ops API, the way the ops console does.
 * These requests are not fans' requests and stay out of the request figures.
 */
export class Monitor {
  readonly readings: Reading[] = [];
  #timer: NodeJS.Timeout | null = null;
  #busy = false;

  constructor(
    private readonly http: HttpClient,
    private readonly url: string,
    private readonly opsToken: string,
    private readonly startedAt: number,
  ) {}

  get last(): Reading | undefined {
    return this.readings[this.readings.length - 1];
  }

  start(intervalMs = 1_000): void {
    this.#timer = setInterval(() => {
      void this.read();
    }, intervalMs);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async read(): Promise<Reading | null> {
    if (this.#busy) return null;
    this.#busy = true;
    try {
      const response = await this.http.send({
        method: 'GET',
        url: this.url,
        headers: { authorization: `Bearer ${this.opsToken}` },
      });
      const reading =
        response.status === 200 ? toReading(response.body, Date.now() - this.startedAt) : null;
      if (reading) this.readings.push(reading);
      return reading;
    } finally {
      this.#busy = false;
    }
  }
}

function toReading(body: unknown, at: number): Reading | null {
  if (typeof body !== 'object' || body === null) return null;
  const value = body as Record<string, unknown>;
  const number = (key: string) => (typeof value[key] === 'number' ? value[key] : Number.NaN);
  return {
    at,
    phase: typeof value['phase'] === 'string' ? value['phase'] : '?',
    waiting: number('waiting'),
    admittedTotal: number('admittedTotal'),
    activeCheckouts: number('activeCheckouts'),
    ticketsRemaining: number('ticketsRemaining'),
    ticketsSold: number('ticketsSold'),
  };
}
