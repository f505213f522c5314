'use client';

import type { Availability, EventView } from '@frequency/contracts';
import { formatDateTime, formatNumber } from '../../lib/format';
import { useI18n } from '../../i18n/language';

/** Name, venue and phase, then tickets remaining and the opening; placeholders until the event loads. */
export function EventHero({ headingId, event, availability }: { headingId: string; event: EventView | null; availability: Availability | null }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby={headingId} className="overflow-hidden rounded-2xl bg-ink text-white shadow-lg">
      <div className="bg-gradient-to-br from-brand to-brand-deep p-6 sm:p-8">
        <p className="text-sm font-semibold uppercase tracking-widest text-white">{t.site.tagline}</p>
        <h1 id={headingId} className="mt-1 text-3xl font-black leading-tight sm:text-5xl">
          {event?.name ?? 'Frequency Festival 20XX'}
        </h1>
        <p className="mt-2 text-lg">
          <span className="sr-only">{t.event.where}: </span>
          {event?.venue ?? 'St. Pölten'}
        </p>
        {event && (
          <p className="mt-3 inline-block rounded-full bg-white px-3 py-1 text-sm font-bold text-ink" data-testid="phase">
            {t.event.phase[event.phase]}
          </p>
        )}
      </div>
      {event && <EventFigures event={event} availability={availability} />}
    </section>
  );
}

function EventFigures({ event, availability }: { event: EventView; availability: Availability | null }) {
  const { t, lang } = useI18n();
  const opensAt = Date.parse(event.opensAt);
  return (
    <dl className="grid gap-px bg-white/10 sm:grid-cols-2">
      <div className="bg-ink p-5">
        <dt className="text-sm font-semibold uppercase tracking-wide text-white/85">{t.event.ticketsRemaining}</dt>
        <dd className="mt-1 text-3xl font-bold tabular-nums" data-testid="tickets-remaining">
          {availability ? formatNumber(availability.ticketsRemaining, lang) : '…'}
        </dd>
        <dd className="text-sm text-white/85">
          {t.event.ticketsOf(formatNumber(event.ticketsTotal, lang))} · {t.event.maxPerOrder(event.maxPerOrder)}
        </dd>
      </div>
      <div className="bg-ink p-5">
        <dt className="text-sm font-semibold uppercase tracking-wide text-white/85">
          {opensAt > Date.now() ? t.event.opensAt(formatDateTime(event.opensAt, lang)) : t.event.openedAt(formatDateTime(event.opensAt, lang))}
        </dt>
        {event.waiting > 0 && <dd className="mt-1 text-base">{t.event.inLine(event.waiting, formatNumber(event.waiting, lang))}</dd>}
      </div>
    </dl>
  );
}
