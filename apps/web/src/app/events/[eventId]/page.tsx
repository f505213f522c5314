import { EventIdSchema } from '@frequency/contracts';
import { notFound } from 'next/navigation';
import { EventExperience } from '../../../components/event/event-experience';

/** One shell per event, rendered per request for its CSP nonce (see layout.tsx); nothing else here depends on the request. */
export default async function EventPage({ params }: { params: Promise<{ eventId: string }> }) {
  const { eventId } = await params;
  if (!EventIdSchema.safeParse(eventId).success) notFound();
  return <EventExperience eventId={eventId} />;
}
