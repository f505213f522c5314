'use client';

import { useId } from 'react';
import { useApi } from '../../lib/hooks';
import { useI18n } from '../../i18n/language';
import { CheckoutForm } from '../checkout-form';
import { Countdown } from '../countdown';
import { OrderView } from '../order-view';
import { Panel } from '../panel';
import { QueuePanel } from '../queue-panel';
import { EventHero } from './event-hero';
import { fanScreen, isInQueue, placedOrder } from './fan-journey';
import { JoinPanel, RejoinPanel, SoldOutPanel } from './join-panel';
import { useFanJourney } from './use-fan-journey';
import { useLiveEvent } from './use-live-event';

/**
 * One event from a fan's side: the event, then joining, waiting, checkout and the tickets. Everything
 * comes from the APIs in the browser; what must survive a reload lives in localStorage per event.
 */
export function EventExperience({ eventId }: { eventId: string }) {
  const { t } = useI18n();
  const { api, failed: configFailed } = useApi();
  const headingId = useId();
  const journey = useFanJourney(eventId, api);
  const { state } = journey;
  const { event, availability, problem } = useLiveEvent(eventId, api, {
    inQueue: isInQueue(state),
    queueState: state.status?.state ?? '',
  });
  const screen = fanScreen(state, { eventId, ready: api !== null, event, eventProblem: problem, availability });
  const order = placedOrder(state);
  const join = () => void journey.join(event?.joinChallengeBits ?? 0);

  let body: React.ReactNode = null;
  if (screen === 'not_found') {
    body = <Panel title={t.event.notFound}>{null}</Panel>;
  } else if (screen === 'loading' || !api || !event) {
    body = (
      <p role="status" className="text-ink-soft">
        {configFailed || problem === 'unreachable' ? t.event.unreachable : t.event.loading}
      </p>
    );
  } else if (screen === 'order' && order) {
    body = <OrderView api={api} record={order} onRecord={journey.saveOrder} />;
  } else if (screen === 'checkout' && state.status?.admission) {
    body = (
      <CheckoutForm
        api={api}
        eventId={eventId}
        admission={state.status.admission}
        maxPerOrder={event.maxPerOrder}
        existing={state.order}
        onRecord={journey.saveOrder}
        onExpired={() => {
          journey.startOver('expired');
        }}
        onSoldOut={() => {
          journey.startOver('sold_out');
        }}
      />
    );
  } else if (screen === 'sold_out') {
    body = <SoldOutPanel titleId={`${headingId}-gone`} />;
  } else if (screen === 'queue' && state.record) {
    body = <QueuePanel event={event} status={state.status} initialAhead={state.record.initialAhead} reconnecting={state.reconnecting} onLeave={journey.leave} />;
  } else if (screen === 'expired' || screen === 'left') {
    body = <RejoinPanel titleId={`${headingId}-gone`} reason={screen} journey={state} onJoin={join} />;
  } else if (screen === 'join') {
    body = <JoinPanel titleId={`${headingId}-join`} event={event} journey={state} onJoin={join} />;
  }

  const opensAt = event ? Date.parse(event.opensAt) : null;
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <EventHero headingId={headingId} event={event} availability={availability} />
      {opensAt !== null && opensAt > Date.now() && order === null && (
        <div className="rounded-2xl border-2 border-line bg-surface p-5">
          <Countdown target={opensAt} label={t.event.opensIn} />
        </div>
      )}
      {body}
    </div>
  );
}
