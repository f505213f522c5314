import { EventExperience } from '../components/event/event-experience';
import { seededEventId } from '../lib/events';

/** A shell rendered per request for its CSP nonce (see layout.tsx); the figures come from the APIs in the browser. */
export default function HomePage() {
  return <EventExperience eventId={seededEventId} />;
}
