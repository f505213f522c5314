import { defineCommands, type ScriptHost } from '@frequency/config/redis-commands';
import {
  confirmOrderArgs,
  orderRecordKeys,
  orderRecordScripts,
  rejectOrderArgs,
  type OrderRejection,
  type PurchaseIntent,
} from '@frequency/contracts';

/** The order record's scripts the worker runs: it brings the ledger's outcome into the record. */
const workerScripts = {
  confirmOrder: orderRecordScripts.confirmOrder,
  rejectOrder: orderRecordScripts.rejectOrder,
};

/** Confirms a batch of orders; the calls share round trips through ioredis auto-pipelining. */
export async function confirmOrders(
  redis: ScriptHost,
  intents: readonly PurchaseIntent[],
): Promise<void> {
  const { confirmOrder } = defineCommands(redis, workerScripts);
  await Promise.all(
    intents.map((intent) =>
      confirmOrder(orderRecordKeys(intent.eventId, intent.orderId), confirmOrderArgs(intent)),
    ),
  );
}

/** What the worker knows of an order it rejects; an intent that failed validation may lack parts. */
export interface Rejection extends OrderRejection {
  eventId: string;
}

/** Rejects orders in Redis; answers, per order, whether its record changed (else it was final). */
export async function rejectOrders(
  redis: ScriptHost,
  rejections: readonly Rejection[],
): Promise<boolean[]> {
  const { rejectOrder } = defineCommands(redis, workerScripts);
  return Promise.all(
    rejections.map((rejection) =>
      rejectOrder(
        orderRecordKeys(rejection.eventId, rejection.orderId),
        rejectOrderArgs(rejection),
      ),
    ),
  );
}
