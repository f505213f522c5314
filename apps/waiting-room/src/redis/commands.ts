import { defineCommands, type Commands, type ScriptHost } from '@frequency/config/redis-commands';
import { admissionScripts } from './admission-scripts.js';
import { challengeScripts } from './challenge-scripts.js';
import { eventScripts } from './event-scripts.js';
import { leadershipScripts } from './leadership-scripts.js';
import { opsScripts } from './ops-scripts.js';
import { queueScripts } from './queue-scripts.js';
import { shuffleScripts } from './shuffle-scripts.js';

/** Every script of the waiting room, by the name it is loaded under. */
const waitingRoomScripts = {
  ...queueScripts,
  ...challengeScripts,
  ...shuffleScripts,
  ...admissionScripts,
  ...leadershipScripts,
  ...eventScripts,
  ...opsScripts,
};

export type WaitingRoomCommands = Commands<typeof waitingRoomScripts>;

/**
 * The waiting room's scripts on one client, loaded the first time (EVALSHA afterwards); asking
 * again for the same client is a lookup, so callers may ask where they need them.
 */
export function waitingRoomCommands(redis: ScriptHost): WaitingRoomCommands {
  return defineCommands(redis, waitingRoomScripts);
}
