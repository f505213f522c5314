import { EventIdSchema } from '@frequency/contracts';
import { notFound } from 'next/navigation';
import { EventExperience } from '../../../components/event-experience';
import { seededEventId } from '../../../lib/events';

/**
 * One static shell per event id: the seeded one is built ahead, others are rendered once on first
 * request and then served from the cache. Nothing here depends on the request.
 */
export const dynamic = 'force-static';
export const dynamicParams = true;

export function generateStaticParams() {
  return [{ eventId: seededEventId }];
}

export default async function EventPage({ params }: { params: Promise<{ eventId: string }> }) {
  const { eventId } = await params;
  if (!EventIdSchema.safeParse(eventId).success) notFound();
  return <EventExperience eventId={eventId} />;
}
