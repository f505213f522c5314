'use client';

import { useId } from 'react';
import { useI18n } from '../i18n/language';
import { challengeProgress } from '../lib/pow-protocol';

/** Screen readers hear the check in quarters; every progress message would drown everything else. */
const announceStep = 25;

/** "Checking your browser…" while the join challenge is solved in a worker, with its progress. */
export function ChallengeProgress({ attempts, bits }: { attempts: number; bits: number }) {
  const { t } = useI18n();
  const id = useId();
  const progress = challengeProgress(attempts, bits);
  const announced = Math.floor(progress / announceStep) * announceStep;
  return (
    <div className="space-y-2 rounded-xl bg-surface-muted p-4" data-testid="challenge-progress">
      <p id={`${id}-label`} className="font-semibold text-ink">
        {t.join.checking}
      </p>
      <div aria-live="polite" role="status" className="sr-only" data-testid="challenge-announcer">
        {t.join.checkingAnnounce(announced)}
      </div>
      <div
        role="progressbar"
        aria-labelledby={`${id}-label`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={progress}
        aria-valuetext={`${progress} %`}
        className="h-3 w-full overflow-hidden rounded-full bg-line"
      >
        <div className="h-full rounded-full bg-brand" style={{ width: `${progress}%` }} />
      </div>
      <p className="text-sm">{t.join.checkingHint}</p>
    </div>
  );
}
