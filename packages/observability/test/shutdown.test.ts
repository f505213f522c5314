import { fileURLToPath } from 'node:url';
import { describe, expect, freePort, spawnService, test } from '@frequency/testing';

const entry = fileURLToPath(new URL('./fixtures/slow-server.ts', import.meta.url));

describe('graceful shutdown', () => {
  test('SIGTERM stops accepting, finishes the in-flight request, closes clients, exits 0', async () => {
    const port = await freePort();
    const service = spawnService(entry, { PORT: String(port) });
    await service.waitForOutput(/listening/);
    const inFlight = fetch(`http://127.0.0.1:${port}/slow`);
    await new Promise((r) => setTimeout(r, 300));
    service.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    const { code } = await service.exited;
    expect(code).toBe(0);
    expect(service.output()).toMatch(/"closedHookRan":true/);
    expect(service.output()).toMatch(/closed cleanly/);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
