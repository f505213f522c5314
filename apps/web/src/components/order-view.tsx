'use client';

import type { RejectReason } from '@frequency/contracts';
import { useId, useRef } from 'react';
import { ApiError, type Api } from '../lib/api';
import { usePollLoop } from '../lib/hooks';
import { nextPollDelay } from '../lib/poll';
import { receiptStore, type OrderRecord } from '../lib/storage';
import { useI18n } from '../i18n/language';
import type { Messages } from '../i18n/messages';
import { Panel } from './panel';
import { TicketQr } from './ticket-qr';

const orderPollMs = 1_000;

/** What a rejected order says to its fan: the ledger's reason in words, or the general line. */
export function rejectionText(t: Messages, reason: RejectReason | null | undefined): string {
  return reason ? t.order.rejectedReason[reason] : t.order.rejectedBody;
}

/**
 * A placed order: polled until the worker has settled it, then its tickets. It is read with its
 * receipt token (30 days, so a fan who comes back long after the admission expired still sees it),
 * or with the admission token where no receipt was kept.
 */
export function OrderView({
  api,
  record,
  onRecord,
}: {
  api: Api;
  record: OrderRecord & { orderId: string };
  onRecord: (record: OrderRecord) => void;
}) {
  const { t } = useI18n();
  const ids = useId();
  const settled = record.status === 'confirmed' || record.status === 'rejected';
  const failures = useRef(0);

  usePollLoop(
    async (signal) => {
      try {
        const token = receiptStore.read(record.orderId) ?? record.admissionToken;
        const view = await api.order(record.orderId, token, signal);
        failures.current = 0;
        if (view.status !== record.status || view.tickets.length !== (record.tickets?.length ?? 0)) {
          onRecord({
            ...record,
            status: view.status,
            tickets: view.tickets,
            quantity: view.quantity,
            reason: view.reason ?? null,
          });
        }
        return nextPollDelay({ pollAfterMs: orderPollMs, failures: 0 });
      } catch (err) {
        failures.current += 1;
        const retryAfterMs = err instanceof ApiError ? err.retryAfterMs : null;
        return nextPollDelay({ pollAfterMs: orderPollMs, failures: failures.current, retryAfterMs });
      }
    },
    !settled,
    record.orderId,
  );

  if (record.status === 'rejected') {
    return (
      <Panel title={t.order.rejectedTitle} tone="warning" titleId={`${ids}-title`}>
        <p data-testid="rejected-reason">{rejectionText(t, record.reason)}</p>
        <OrderNumber orderId={record.orderId} />
      </Panel>
    );
  }
  if (record.status !== 'confirmed' || !record.tickets) {
    return (
      <Panel title={t.order.pendingTitle} titleId={`${ids}-title`}>
        <div role="status" className="flex items-center gap-3">
          <span className="size-5 animate-spin rounded-full border-4 border-brand border-t-transparent motion-reduce:animate-none" aria-hidden="true" />
          <p>{t.order.pendingBody}</p>
        </div>
        <OrderNumber orderId={record.orderId} />
      </Panel>
    );
  }
  return (
    <Panel title={t.order.confirmedTitle} tone="success" titleId={`${ids}-title`}>
      <p role="status">{t.order.confirmedBody(record.tickets.length, record.email ?? '')}</p>
      <OrderNumber orderId={record.orderId} />
      <ol className="grid gap-4 sm:grid-cols-2" data-testid="tickets">
        {record.tickets.map((ticket, index) => (
          <li key={ticket.id} className="flex flex-col items-center gap-2 rounded-xl border-2 border-line p-4">
            <p className="font-bold text-ink">{t.order.ticket(index + 1)}</p>
            <TicketQr code={ticket.code} alt={t.order.qrAlt(ticket.code)} />
            <p className="text-xs font-semibold uppercase text-ink-soft">{t.order.ticketCode}</p>
            <p className="break-all text-center font-mono text-sm font-semibold text-ink" data-testid="ticket-code">
              {ticket.code}
            </p>
          </li>
        ))}
      </ol>
    </Panel>
  );
}

function OrderNumber({ orderId }: { orderId: string }) {
  const { t } = useI18n();
  return (
    <p className="text-sm">
      {t.order.orderNumber}: <span className="break-all font-mono text-ink">{orderId}</span>
    </p>
  );
}
