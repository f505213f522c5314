import { describe, expect, test } from '@frequency/testing';
import {
  createTestEvent,
  eventually,
  join,
  type Joined,
  patch,
  startApp,
  status,
} from './helpers.js';

describe('queue after opening', () => {
  test('arrivals get consecutive places, first come first served, and are admitted in that order', async ({
    redis,
  }) => {
    const app = await startApp(redis);
    try {
      const event = await createTestEvent(app);
      const fans: Joined[] = [];
      for (let i = 0; i < 5; i += 1) fans.push(await join(app, event.id));
      expect(fans.map((f) => f.state)).toEqual(Array(5).fill('waiting'));
      expect(fans.map((f) => f.position)).toEqual([1, 2, 3, 4, 5]);
      const third = await status(app, event.id, fans[2]!.queueToken);
      expect(third).toMatchObject({
        state: 'waiting',
        position: 3,
        aheadOfYou: 2,
        admission: null,
      });

      await patch(app, event.id, { admissionRatePerSecond: 20 });
      const firstAdmitted = await eventually(async () => {
        const s = await status(app, event.id, fans[0]!.queueToken);
        return s.state === 'admitted' ? s : undefined;
      });
      expect(firstAdmitted.admission?.token).toMatch(/^ey/);
      // Admission follows place order: whenever fan k is admitted, every fan before k is too.
      const states = await Promise.all(fans.map((f) => status(app, event.id, f.queueToken)));
      const admittedFlags = states.map((s) => s.state === 'admitted');
      expect(admittedFlags).toEqual([...admittedFlags].sort((a, b) => Number(b) - Number(a)));
    } finally {
      await app.close();
    }
  });
});
