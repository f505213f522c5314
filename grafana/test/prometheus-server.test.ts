import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startPrometheus } from '../src/prometheus-server.ts';
import { freePort } from '../src/render/render-run.ts';

describe('startPrometheus', () => {
  it(
    'scrapes the given targets under their service label and loads the repository rules',
    { timeout: 60_000 },
    async () => {
      const exporter = createServer((_, response) => {
        response.setHeader('content-type', 'text/plain; version=0.0.4');
        response.end('# TYPE probe_total counter\nprobe_total 42\n');
      });
      await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
      const { port } = exporter.address() as AddressInfo;
      const prometheus = await startPrometheus({
        targets: { checkout: `127.0.0.1:${port}` },
        listen: `127.0.0.1:${await freePort()}`,
      });
      try {
        const query = async (expr: string) => {
          const response = await fetch(
            `${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`,
          );
          const body = (await response.json()) as {
            data: { result: { metric: Record<string, string>; value: [number, string] }[] };
          };
          return body.data.result;
        };
        await expect
          .poll(() => query('probe_total'), { timeout: 20_000, interval: 250 })
          .toEqual([
            expect.objectContaining({
              metric: expect.objectContaining({ service: 'checkout', __name__: 'probe_total' }),
              value: [expect.any(Number), '42'],
            }),
          ]);
        const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
          data: { groups: unknown[] };
        };
        expect(rules.data.groups.length).toBeGreaterThan(0);
      } finally {
        await prometheus.stop();
        exporter.close();
      }
    },
  );
});
