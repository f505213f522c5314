import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientFrom, loopbackAddress } from '../src/clients.js';

describe('loopbackAddress', () => {
  it('gives distinct addresses inside 127.0.0.0/8, never a .0 or .255 host', () => {
    const addresses = Array.from({ length: 3_000 }, (_, i) => loopbackAddress(i));
    expect(new Set(addresses).size).toBe(addresses.length);
    for (const address of addresses) {
      expect(address).toMatch(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
      expect(address).not.toMatch(/\.(0|255)$/);
      expect(address.startsWith('127.0.')).toBe(false);
    }
    expect(loopbackAddress(253)).toBe('127.1.0.254');
    expect(loopbackAddress(254)).toBe('127.1.1.1');
    expect(() => loopbackAddress(-1)).toThrow(RangeError);
  });
});

describe('clientFrom', () => {
  it('reaches the server from its own source address, which is what the server sees', async () => {
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ from: req.socket.remoteAddress, body: req.headers['content-type'] }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const a = clientFrom(loopbackAddress(5), url);
    const b = clientFrom(loopbackAddress(6), url);
    try {
      expect((await a.request({ path: '/' })).json()).toEqual({ from: loopbackAddress(5) });
      const posted = await b.request({ method: 'POST', path: '/', body: { x: 1 } });
      expect(posted.status).toBe(200);
      expect(posted.json()).toEqual({ from: loopbackAddress(6), body: 'application/json' });
    } finally {
      a.close();
      b.close();
      server.close();
    }
  });
});
