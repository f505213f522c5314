import { RejectReasonSchema } from '@frequency/contracts';
import { z } from 'zod';

/**
 * What a fan's browser remembers per event, so a reload or a second tab never costs the place:
 * the queue token, the largest "ahead of you" seen (the start of the progress bar), and once an
 * order is placed, its id, admission token and idempotency key, so a reload resumes the order
 * instead of placing a second one. Per order, its receipt token: it reads the order for 30 days,
 * long after the admission has expired, and outlives the event's record (a new join clears that).
 */
export const QueueRecordSchema = z.object({
  queueToken: z.string(),
  initialAhead: z.number().int().min(0).nullable(),
});
export type QueueRecord = z.infer<typeof QueueRecordSchema>;

export const OrderRecordSchema = z.object({
  admissionToken: z.string(),
  idempotencyKey: z.string(),
  orderId: z.string().nullable(),
  email: z.string().nullable(),
  tickets: z.array(z.object({ id: z.string(), code: z.string() })).nullable(),
  status: z.enum(['pending', 'confirmed', 'rejected']).nullable(),
  quantity: z.number().int().nullable(),
  /** Why the ledger refused the order, once rejected; absent in records from before it existed. */
  reason: RejectReasonSchema.nullish(),
});
export type OrderRecord = z.infer<typeof OrderRecordSchema>;

export const queueKey = (eventId: string) => `frequency:queue:${eventId}`;
export const orderKey = (eventId: string) => `frequency:order:${eventId}`;
export const receiptKey = (orderId: string) => `frequency:receipt:${orderId}`;

function read<S extends z.ZodType>(key: string, schema: S): z.infer<S> | null {
  try {
    const raw = localStorage.getItem(key);
    if (raw === null) return null;
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the page still works, a reload then starts over.
  }
}

export const queueStore = {
  read: (eventId: string) => read(queueKey(eventId), QueueRecordSchema),
  write: (eventId: string, record: QueueRecord | null) => {
    write(queueKey(eventId), record);
  },
};

export const receiptStore = {
  read: (orderId: string) => read(receiptKey(orderId), z.string().min(1)),
  write: (orderId: string, receiptToken: string) => {
    write(receiptKey(orderId), receiptToken);
  },
};

export const orderStore = {
  read: (eventId: string) => read(orderKey(eventId), OrderRecordSchema),
  write: (eventId: string, record: OrderRecord | null) => {
    write(orderKey(eventId), record);
  },
};
