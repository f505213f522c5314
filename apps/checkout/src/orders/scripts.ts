import { defineCommands, type Commands, type ScriptHost } from '@frequency/config/redis-commands';
import { orderRecordScripts } from '@frequency/contracts';

/** The order record's scripts checkout runs: it creates the record, withdraws it, relays it. */
const checkoutScripts = {
  placeOrder: orderRecordScripts.placeOrder,
  reReserveOrder: orderRecordScripts.reReserveOrder,
  withdrawOrder: orderRecordScripts.withdrawOrder,
  claimOutbox: orderRecordScripts.claimOutbox,
};

export type CheckoutCommands = Commands<typeof checkoutScripts>;

/** Checkout's scripts on one client, loaded once per client (EVALSHA afterwards). */
export function checkoutCommands(redis: ScriptHost): CheckoutCommands {
  return defineCommands(redis, checkoutScripts);
}
