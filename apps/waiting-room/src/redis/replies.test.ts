import { describe, expect, test } from 'vitest';
import { admissionScripts } from './admission-scripts.js';
import { queueScripts } from './queue-scripts.js';
import { flagReply, optionalStringReply } from './replies.js';
import { shuffleScripts } from './shuffle-scripts.js';

describe('script replies', () => {
  test('an admission names its counts, expiry and the entries it admitted, in order', () => {
    expect(
      admissionScripts.wrAdmit.reply(['ok', 2, 1, 0, 9, 5, 1_700_000_000_000, 'q_a', 'q_b']),
    ).toEqual({
      status: 'ok',
      admitted: 2,
      left: 1,
      abandoned: 0,
      front: 9,
      active: 5,
      expiresAtMs: 1_700_000_000_000,
      members: ['q_a', 'q_b'],
    });
    expect(admissionScripts.wrAdmit.reply(['fenced', 0, 0, 0, 0, 0])).toMatchObject({
      status: 'fenced',
      members: [],
    });
  });

  test('a reply a script does not give is refused, not passed on', () => {
    expect(() => queueScripts.wrJoin.reply(['queued', 3])).toThrow();
    expect(() => queueScripts.wrJoin.reply(['waiting', '3'])).toThrow();
    expect(() => admissionScripts.wrAdmit.reply(['ok', 1, 0, 0, 1, 1, 'q_a'])).toThrow();
    expect(() => queueScripts.wrLeave.reply('stayed')).toThrow();
    expect(() => shuffleScripts.wrShuffleChunk.reply(['ok', 5])).toThrow();
    expect(() => flagReply(2)).toThrow();
    expect(() => optionalStringReply(7)).toThrow();
  });

  test('a shuffle chunk says where to go on and whether the line is complete', () => {
    expect(shuffleScripts.wrShuffleChunk.reply(['ok', 5, 0])).toEqual({
      status: 'ok',
      next: 5,
      done: false,
    });
    expect(shuffleScripts.wrShuffleChunk.reply(['ok', 23, 1])).toMatchObject({ done: true });
  });
});
