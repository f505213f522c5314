import { EventExperience } from '../components/event-experience';
import { seededEventId } from '../lib/events';

/** Prerendered once; the figures come from the APIs in the browser. */
export const dynamic = 'force-static';

export default function HomePage() {
  return <EventExperience eventId={seededEventId} />;
}
