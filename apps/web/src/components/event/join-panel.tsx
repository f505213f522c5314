'use client';

import type { EventView } from '@frequency/contracts';
import { useI18n } from '../../i18n/language';
import type { Messages } from '../../i18n/messages';
import { ChallengeProgress } from '../challenge-progress';
import { Button, Panel } from '../panel';
import { ShuffleNote } from '../shuffle-note';
import type { FanJourneyState, JoinProblem } from './fan-journey';

export function joinProblemText(t: Messages, problem: JoinProblem): string {
  switch (problem.kind) {
    case 'challenge_unsupported':
      return t.join.challengeUnsupported;
    case 'challenge_failed':
      return t.join.challengeFailed;
    case 'rate_limited':
      return t.join.rateLimited(problem.retryAfterSeconds);
    case 'not_open':
      return t.join.notOpenYet;
    case 'failed':
      return t.join.failed;
  }
}

/** The join button with the browser check's progress and why the last try failed. */
function JoinControls({ journey, label, onJoin, className }: { journey: FanJourneyState; label: string; onJoin: () => void; className?: string }) {
  const { t } = useI18n();
  return (
    <>
      <Button onClick={onJoin} disabled={journey.joining} className={className}>
        {journey.joining ? t.join.joining : label}
      </Button>
      {journey.solving && <ChallengeProgress attempts={journey.solving.attempts} bits={journey.solving.bits} />}
      {journey.joinProblem && (
        <p role="alert" className="font-semibold text-danger">
          {joinProblemText(t, journey.joinProblem)}
        </p>
      )}
    </>
  );
}

/** The first step: before opening it explains the shuffle of the pre-queue and shows its commitment. */
export function JoinPanel({ titleId, event, journey, onJoin }: { titleId: string; event: EventView; journey: FanJourneyState; onJoin: () => void }) {
  const { t } = useI18n();
  const beforeOpening = event.phase === 'scheduled' || event.phase === 'prequeue';
  return (
    <Panel title={t.join.title} titleId={titleId}>
      <p>{beforeOpening ? t.join.introPrequeue : t.join.intro}</p>
      <JoinControls journey={journey} label={t.join.button} onJoin={onJoin} className="w-full text-lg sm:w-auto" />
      {beforeOpening && <ShuffleNote event={event} />}
    </Panel>
  );
}

/** The place expired or the fan left: say which, and offer to line up again. */
export function RejoinPanel({ titleId, reason, journey, onJoin }: { titleId: string; reason: 'expired' | 'left'; journey: FanJourneyState; onJoin: () => void }) {
  const { t } = useI18n();
  return (
    <Panel title={reason === 'expired' ? t.gone.expiredTitle : t.gone.leftTitle} tone="warning" titleId={titleId}>
      <p>{reason === 'expired' ? t.gone.expiredBody : t.gone.leftBody}</p>
      <JoinControls journey={journey} label={t.gone.rejoin} onJoin={onJoin} />
    </Panel>
  );
}

export function SoldOutPanel({ titleId }: { titleId: string }) {
  const { t } = useI18n();
  return (
    <Panel title={t.gone.soldOutTitle} tone="warning" titleId={titleId}>
      <p data-testid="sold-out">{t.gone.soldOutBody}</p>
    </Panel>
  );
}
