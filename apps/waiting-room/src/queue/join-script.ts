import type { ScriptParams } from '@frequency/config/redis-commands';
import { waitingRoomKeys } from '../redis/keys.js';
import type { queueScripts } from '../redis/queue-scripts.js';
import type { Proof } from './join-challenges.js';

export interface JoinRequest {
  eventId: string;
  entryId: string;
  /** Who is charged for the join: the client's address. */
  client: string;
  /** The challenge the join redeems, or null when the event asks for none. */
  proof: Proof | null;
  /** Joins per client and window (0 = off). */
  rateLimit: number;
  rateWindowMs: number;
  prequeueWindowMs: number;
}

/** The keys and arguments of one join script, for `wrJoin(...)` or `wrJoin.inPipeline(p, ...)`. */
export function joinParams(request: JoinRequest): ScriptParams<typeof queueScripts.wrJoin> {
  const keys = waitingRoomKeys(request.eventId);
  const { proof } = request;
  return [
    {
      config: keys.config,
      state: keys.state,
      pre: keys.pre,
      line: keys.line,
      seen: keys.seen,
      preSeen: keys.preSeen,
      stock: keys.stock,
      rateLimit: keys.rateLimit(request.client),
      // A key of the event's slot even without a challenge: the script only reads it with a proof.
      challenge: proof?.key ?? keys.challenge(''),
    },
    {
      entryId: request.entryId,
      // Asking for the challenge spent this client's join budget already.
      limit: proof ? 0 : request.rateLimit,
      windowMs: request.rateWindowMs,
      prequeueWindowMs: request.prequeueWindowMs,
      zeroBits: proof ? proof.zeroBits : '',
    },
  ];
}
