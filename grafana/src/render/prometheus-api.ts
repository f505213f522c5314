// The two Prometheus HTTP API calls a dashboard needs: range queries for panels, label values for
// variables. Errors carry Prometheus' own message, so a broken query names what is wrong with it.
import { z } from 'zod';

const MatrixResult = z.array(
  z.object({
    metric: z.record(z.string(), z.string()),
    values: z.array(z.tuple([z.number(), z.string()])),
  }),
);
export type RangeSeries = z.infer<typeof MatrixResult>[number];

const Answer = z.discriminatedUnion('status', [
  z.object({ status: z.literal('success'), data: z.unknown() }),
  z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }),
]);

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

export class PrometheusApi {
  constructor(private readonly baseUrl: string) {}

  async #call(path: string, params: URLSearchParams, method: 'GET' | 'POST'): Promise<unknown> {
    const base = `${this.baseUrl.replace(/\/$/, '')}${path}`;
    const url = method === 'GET' ? `${base}?${params.toString()}` : base;
    const init = method === 'GET' ? {} : { method, body: params };
    const response = await fetch(url, init).catch((err: unknown) => {
      throw new Error(`Prometheus at ${this.baseUrl} did not answer: ${String(err)}`);
    });
    const parsed = Answer.safeParse(await response.json().catch(() => null));
    if (!parsed.success)
      throw new Error(`${base} answered ${response.status} without a Prometheus body`);
    if (parsed.data.status === 'error')
      throw new Error(`${parsed.data.errorType}: ${parsed.data.error}`);
    return parsed.data.data;
  }

  async queryRange(expr: string, range: TimeRange, stepMs: number): Promise<RangeSeries[]> {
    // Grafana aligns start and end to the step, so every panel's points fall on the same instants.
    const start = Math.floor(range.fromMs / stepMs) * stepMs;
    const end = Math.ceil(range.toMs / stepMs) * stepMs;
    // POST, as the provisioned datasource does (httpMethod: POST): long expressions fit.
    const data = await this.#call(
      '/api/v1/query_range',
      new URLSearchParams({
        query: expr,
        start: String(start / 1000),
        end: String(end / 1000),
        step: String(stepMs / 1000),
      }),
      'POST',
    );
    const matrix = z.object({ resultType: z.literal('matrix'), result: MatrixResult }).parse(data);
    return matrix.result;
  }

  async labelValues(label: string, match: string | null, range: TimeRange): Promise<string[]> {
    const params = new URLSearchParams({
      start: String(range.fromMs / 1000),
      end: String(range.toMs / 1000),
    });
    if (match !== null) params.append('match[]', match);
    // The label values endpoint answers GET only in Prometheus 2.42.
    const data = await this.#call(
      `/api/v1/label/${encodeURIComponent(label)}/values`,
      params,
      'GET',
    );
    return z.array(z.string()).parse(data);
  }
}
