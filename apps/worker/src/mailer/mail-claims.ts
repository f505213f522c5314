import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@frequency/config/redis';
import { defineCommands, script, type Commands } from '@frequency/config/redis-commands';
import { eventTag } from '@frequency/contracts';
import { z } from 'zod';

/**
 * The mailer's own record of each order's confirmation e-mail, `ev:{eventId}:mail:<orderId>` (the
 * event's hash tag, beside its order), a string that is one of:
 * - `claim:<token>`, with a TTL: one sender is sending the mail right now;
 * - `sent`, for 30 days (longer than Pub/Sub keeps a message): the mail went out, never again.
 * No key: nobody has sent it yet. Only this module spells the key and its values.
 */
export function mailKey(eventId: string, orderId: string): string {
  return `ev:${eventTag(eventId)}:mail:${orderId}`;
}

const sentValue = 'sent';
const sentTtlSeconds = 30 * 24 * 3600;

/**
 * Claims an order's mail before sending it.
 * Invariant: at most one sender holds the claim of an order at a time (SET NX PX), and a mail
 * marked sent is never claimed again. The claim expires by itself, so a sender that died mid-send
 * holds nobody up for longer than its TTL.
 *
 * KEYS: 1 mail key. ARGV: 1 claim value, 2 claim TTL (ms). Returns `claimed`, `sent` or `held`.
 */
const claimMailLua = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 'claimed'
end
if redis.call('GET', KEYS[1]) == '${sentValue}' then
  return 'sent'
end
return 'held'
`;

/**
 * Gives a claim back after a failed send, so the next delivery need not wait for its TTL.
 * Invariant: only the holder's own claim is deleted, never one another sender took after ours
 * expired, nor the mark of a sent mail.
 *
 * KEYS: 1 mail key. ARGV: 1 claim value. Returns 1 if the claim was released.
 */
const releaseMailClaimLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

const ClaimResultSchema = z.enum(['claimed', 'sent', 'held']);
export type ClaimResult = z.infer<typeof ClaimResultSchema>;

const mailScripts = {
  claimMail: script({
    keys: ['mail'],
    args: ['claim', 'ttlMs'],
    lua: claimMailLua,
    reply: (raw) => ClaimResultSchema.parse(raw),
  }),
  releaseMailClaim: script({
    keys: ['mail'],
    args: ['claim'],
    lua: releaseMailClaimLua,
    reply: (raw) => z.number().parse(raw) === 1,
  }),
};

export interface MailClaim {
  key: string;
  value: string;
}

export class MailClaims {
  private readonly scripts: Commands<typeof mailScripts>;

  constructor(
    private readonly redis: RedisClient,
    private readonly claimTtlMs: number,
  ) {
    this.scripts = defineCommands(redis, mailScripts);
  }

  async claim(
    eventId: string,
    orderId: string,
  ): Promise<{ result: ClaimResult; claim: MailClaim }> {
    const claim = {
      key: mailKey(eventId, orderId),
      value: `claim:${randomBytes(9).toString('base64url')}`,
    };
    const result = await this.scripts.claimMail(
      { mail: claim.key },
      { claim: claim.value, ttlMs: this.claimTtlMs },
    );
    return { result, claim };
  }

  async markSent(claim: MailClaim): Promise<void> {
    await this.redis.set(claim.key, sentValue, 'EX', sentTtlSeconds);
  }

  async release(claim: MailClaim): Promise<void> {
    await this.scripts.releaseMailClaim({ mail: claim.key }, { claim: claim.value });
  }
}
