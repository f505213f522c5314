'use client';

import type { EventView } from '@frequency/contracts';
import { useI18n } from '../i18n/language';

/** The commitment before opening and the seed after it: a fan can check the shuffle was fixed in advance. */
export function ShuffleNote({ event }: { event: EventView }) {
  const { t } = useI18n();
  return (
    <div className="rounded-xl bg-surface-muted p-4 text-sm" data-testid="shuffle-note">
      <h3 className="text-base font-bold text-ink">{t.queue.shuffleTitle}</h3>
      {event.shuffleCommitment ? (
        <>
          <p className="mt-1">{t.queue.commitment}</p>
          <code className="mt-1 block break-all font-mono text-xs text-ink" data-testid="shuffle-commitment">
            {event.shuffleCommitment}
          </code>
        </>
      ) : (
        <p className="mt-1">{t.queue.noCommitment}</p>
      )}
      {event.shuffleSeed ? (
        <>
          <p className="mt-2">{t.queue.seed}</p>
          <code className="mt-1 block break-all font-mono text-xs text-ink" data-testid="shuffle-seed">
            {event.shuffleSeed}
          </code>
        </>
      ) : (
        <p className="mt-2">{t.queue.seedPending}</p>
      )}
    </div>
  );
}
