import { newId, newTicketCode, type PurchaseIntent } from '@frequency/contracts';

/**
 * A purchase intent as checkout publishes it: fresh ids, one ticket per unit of quantity, and the
 * event's ticketsTotal (100 unless given), which the ledger caps the event at. Free of vitest, so
 * benches build their orders with it too.
 */
export function makeIntent(
  eventId: string,
  quantity = 2,
  overrides: Partial<PurchaseIntent> = {},
): PurchaseIntent {
  return {
    v: 1,
    orderId: newId('order'),
    eventId,
    admissionId: newId('admission'),
    entryId: newId('queueEntry'),
    quantity,
    buyer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    tickets: Array.from({ length: quantity }, () => ({
      id: newId('ticket'),
      code: newTicketCode(),
    })),
    reservedAt: new Date().toISOString(),
    ticketsTotal: 100,
    ...overrides,
  };
}
