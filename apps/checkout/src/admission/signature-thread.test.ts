import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, test } from '@frequency/testing';
import { SignatureThread, threadPoolChecker } from './signature-thread.js';

function keyPair() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}
function es256(privateKey: ReturnType<typeof keyPair>['privateKey'], data: Buffer): Buffer {
  return sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
}

describe('signatures checked on a dedicated thread', () => {
  test('a batch mixing genuine, forged and tampered signatures and two keys gets each answer right', async () => {
    // Room for the whole batch from one caller (the default bound would refuse part of it).
    const thread = new SignatureThread({ maxPending: 1_000 });
    try {
      const a = keyPair();
      const b = keyPair();
      const cases = Array.from({ length: 200 }, (_, i) => {
        const signed = Buffer.from(`header.payload-${i}`);
        const signer = i % 2 === 0 ? a : b;
        switch (i % 4) {
          case 0: // genuine, key a
          case 1: // genuine, key b
            return {
              key: signer.publicKey,
              signed,
              signature: es256(signer.privateKey, signed),
              valid: true,
            };
          case 2: // signed by b, checked with a
            return {
              key: a.publicKey,
              signed,
              signature: es256(b.privateKey, signed),
              valid: false,
            };
          default: // payload changed after signing
            return {
              key: b.publicKey,
              signed: Buffer.from(`header.payload-${i}-altered`),
              signature: es256(b.privateKey, signed),
              valid: false,
            };
        }
      });
      const answers = await Promise.all(
        cases.map(({ key, signed, signature }) => thread.check(key, signed, signature)),
      );
      expect(answers).toEqual(cases.map((c) => c.valid));
      // And again, now that the thread knows both keys.
      const again = await Promise.all(
        cases.map(({ key, signed, signature }) => thread.check(key, signed, signature)),
      );
      expect(again).toEqual(cases.map((c) => c.valid));
    } finally {
      await thread.close();
    }
  });

  test('checks in flight when the thread dies are answered anyway, and the next ones start a new thread', async () => {
    const lost: unknown[] = [];
    const thread = new SignatureThread({ onLost: (err) => lost.push(err) });
    const { publicKey, privateKey } = keyPair();
    const signed = Buffer.from('header.payload');
    const good = es256(privateKey, signed);
    const bad = Buffer.from(good);
    bad[10] = (bad[10] ?? 0) ^ 0xff;
    try {
      expect(await thread.check(publicKey, signed, good)).toBe(true);
      const inFlight = [
        thread.check(publicKey, signed, good),
        thread.check(publicKey, signed, bad),
      ];
      // Kill the thread the moment the batch has been handed to it.
      await new Promise((resolve) => setImmediate(resolve));
      const worker = (thread as unknown as { worker?: { terminate(): Promise<number> } }).worker;
      expect(worker).toBeDefined();
      await worker?.terminate();
      expect(await Promise.all(inFlight)).toEqual([true, false]);
      expect(lost).toHaveLength(1);
      expect(
        await Promise.all([
          thread.check(publicKey, signed, good),
          thread.check(publicKey, signed, bad),
        ]),
      ).toEqual([true, false]);
    } finally {
      await thread.close();
    }
    // Closing stops the thread on purpose: that is not a loss.
    expect(lost).toHaveLength(1);
  });

  test('the thread-pool checker gives the same answers', async () => {
    const { publicKey, privateKey } = keyPair();
    const signed = Buffer.from('header.payload');
    const good = es256(privateKey, signed);
    expect(await threadPoolChecker.check(publicKey, signed, good)).toBe(true);
    expect(await threadPoolChecker.check(publicKey, Buffer.from('other'), good)).toBe(false);
  });

  test('a burst beyond the bound is refused at once with 503 and Retry-After; the queue never grows past it', async () => {
    let refusedSeen = 0;
    const thread = new SignatureThread({
      maxPending: 100,
      onRefused: () => {
        refusedSeen += 1;
      },
    });
    try {
      const { publicKey, privateKey } = keyPair();
      const signed = Buffer.from('header.payload');
      const good = es256(privateKey, signed);
      const forged = Buffer.alloc(64, 7);
      const settle = (check: Promise<boolean>) =>
        check.then(
          (valid) => ({ valid }),
          (err: unknown) => ({ err }),
        );
      // From many clients at once: the queue fills to its bound and not one check further.
      const burst = Array.from({ length: 5_000 }, (_, i) =>
        settle(thread.check(publicKey, signed, i === 0 ? good : forged, `client-${i}`)),
      );
      expect(thread.stats.pending).toBe(100);
      const answers = await Promise.all(burst);
      const refused = answers.filter((a) => 'err' in a);
      expect(refused).toHaveLength(4_900);
      expect(refused[0]).toMatchObject({
        err: { code: 'UNAVAILABLE', status: 503, headers: { 'retry-after': '1' } },
      });
      expect(answers[0]).toEqual({ valid: true });
      expect(answers.slice(1, 100).every((a) => 'valid' in a && !a.valid)).toBe(true);
      expect(thread.stats).toEqual({ pending: 0, peak: 100, refused: 4_900 });
      expect(refusedSeen).toBe(4_900);
      // Once the queue has drained, checks are taken again.
      expect(await thread.check(publicKey, signed, good)).toBe(true);
    } finally {
      await thread.close();
    }
  });

  test('one client flooding holds at most half the queue: another client still gets in', async () => {
    const thread = new SignatureThread({ maxPending: 64 });
    try {
      const { publicKey, privateKey } = keyPair();
      const signed = Buffer.from('header.payload');
      const good = es256(privateKey, signed);
      const flood = Array.from({ length: 1_000 }, () =>
        thread.check(publicKey, signed, Buffer.alloc(64, 9), '198.51.100.7').catch(() => 'refused'),
      );
      expect(thread.stats.pending).toBe(32);
      const fans = ['203.0.113.1', '203.0.113.2', '203.0.113.3'].map((client) =>
        thread.check(publicKey, signed, good, client),
      );
      expect(thread.stats.pending).toBe(35);
      expect(await Promise.all(fans)).toEqual([true, true, true]);
      const answers = await Promise.all(flood);
      expect(answers.filter((a) => a === 'refused')).toHaveLength(968);
    } finally {
      await thread.close();
    }
  });

  test("an address within its share goes ahead of a flooding address's backlog", async () => {
    const thread = new SignatureThread({ maxPending: 1_000 });
    try {
      const { publicKey, privateKey } = keyPair();
      const signed = Buffer.from('header.payload');
      const good = es256(privateKey, signed);
      const order: string[] = [];
      const flood = Array.from({ length: 400 }, (_, i) =>
        thread.check(publicKey, signed, Buffer.alloc(64, 3), '198.51.100.7').then(() => {
          order.push(`flood-${i}`);
        }),
      );
      const fan = thread.check(publicKey, signed, good, '203.0.113.1').then((valid) => {
        order.push('fan');
        return valid;
      });
      expect(await fan).toBe(true);
      await Promise.all(flood);
      // Behind the flood's first share (62) only, not behind its 400 checks.
      expect(order.indexOf('fan')).toBeLessThan(100);
      expect(order).toHaveLength(401);
    } finally {
      await thread.close();
    }
  });
});
