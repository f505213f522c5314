'use client';

import type { EventView, QueueStatus } from '@frequency/contracts';
import { useEffect, useId, useRef, useState } from 'react';
import { formatNumber } from '../lib/format';
import { useI18n } from '../i18n/language';
import { Button, Panel } from './panel';
import { ShuffleNote } from './shuffle-note';

/** Screen readers hear the place at most this often: every poll would drown out everything else. */
const announceEveryMs = 15_000;

/** Share of the line already behind the fan, from the largest "ahead of you" this browser has seen. */
export function queueProgress(aheadOfYou: number | null, initialAhead: number | null): number {
  if (aheadOfYou === null) return 0;
  const start = Math.max(initialAhead ?? aheadOfYou, aheadOfYou);
  if (start === 0) return 100;
  return Math.round(((start - aheadOfYou) / start) * 100);
}

export function QueuePanel({
  event,
  status,
  initialAhead,
  reconnecting,
  onLeave,
}: {
  event: EventView;
  status: QueueStatus | null;
  initialAhead: number | null;
  reconnecting: boolean;
  onLeave: () => Promise<void>;
}) {
  const { t, lang } = useI18n();
  const ids = useId();
  const [confirmLeave, setConfirmLeave] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const lastAnnounced = useRef({ at: 0, state: '' });
  const state = status?.state ?? 'prequeue';
  const prequeue = state === 'prequeue';
  const position = status?.position ?? null;
  const ahead = status?.aheadOfYou ?? null;

  useEffect(() => {
    if (prequeue) {
      if (lastAnnounced.current.state !== 'prequeue') {
        lastAnnounced.current = { at: Date.now(), state: 'prequeue' };
        setAnnouncement(t.queue.prequeueTitle);
      }
      return;
    }
    if (position === null) return;
    const now = Date.now();
    const stateChanged = lastAnnounced.current.state !== state;
    if (!stateChanged && now - lastAnnounced.current.at < announceEveryMs) return;
    lastAnnounced.current = { at: now, state };
    setAnnouncement(t.queue.announce(formatNumber(position, lang), formatNumber(ahead ?? 0, lang)));
  }, [prequeue, position, ahead, state, t, lang]);

  const progress = queueProgress(ahead, initialAhead);
  const wait = status?.estimatedWaitSeconds ?? null;
  const waitText =
    wait === null ? t.queue.waitUnknown : wait < 60 ? t.queue.waitSeconds : t.queue.waitMinutes(Math.round(wait / 60));

  return (
    <Panel title={prequeue ? t.queue.prequeueTitle : t.queue.title} titleId={`${ids}-title`}>
      <div aria-live="polite" role="status" className="sr-only" data-testid="queue-announcer">
        {announcement}
      </div>
      {prequeue ? (
        <>
          <p>{t.queue.prequeueBody}</p>
          <ShuffleNote event={event} />
        </>
      ) : (
        <>
          <dl className="grid grid-cols-2 gap-3">
            <div className="rounded-xl bg-surface-muted p-4">
              <dt className="text-sm font-semibold text-ink-soft">{t.queue.position}</dt>
              <dd className="text-4xl font-black tabular-nums text-ink" data-testid="queue-position">
                {position === null ? '…' : formatNumber(position, lang)}
              </dd>
            </div>
            <div className="rounded-xl bg-surface-muted p-4">
              <dt className="text-sm font-semibold text-ink-soft">{t.queue.ahead}</dt>
              <dd className="text-4xl font-black tabular-nums text-ink" data-testid="queue-ahead">
                {ahead === null ? '…' : formatNumber(ahead, lang)}
              </dd>
            </div>
            <div className="col-span-2 rounded-xl bg-surface-muted p-4">
              <dt className="text-sm font-semibold text-ink-soft">{t.queue.estimatedWait}</dt>
              <dd className="text-2xl font-bold text-ink" data-testid="queue-wait">
                {waitText}
              </dd>
            </div>
          </dl>
          <div>
            <p id={`${ids}-progress`} className="mb-1 text-sm font-semibold text-ink-soft">
              {t.queue.progress}
            </p>
            <div
              role="progressbar"
              aria-labelledby={`${ids}-progress`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={progress}
              aria-valuetext={`${progress} %`}
              className="h-4 w-full overflow-hidden rounded-full bg-line"
            >
              <div className="h-full rounded-full bg-brand transition-[width] duration-700 motion-reduce:transition-none" style={{ width: `${progress}%` }} />
            </div>
          </div>
          {event.phase === 'paused' && <p className="font-semibold text-warning-ink">{t.queue.paused}</p>}
          {event.shuffleSeed && <ShuffleNote event={event} />}
        </>
      )}
      <p className="text-sm">{reconnecting ? t.queue.reconnecting : t.queue.keepOpen}</p>
      {confirmLeave ? (
        <div role="group" aria-labelledby={`${ids}-leave`} className="rounded-xl border-2 border-danger p-4">
          <p id={`${ids}-leave`} className="font-semibold text-ink">
            {t.queue.leaveConfirm}
          </p>
          <div className="mt-3 flex flex-wrap gap-2">
            <Button
              variant="danger"
              disabled={leaving}
              onClick={() => {
                setLeaving(true);
                void onLeave().finally(() => {
                  setLeaving(false);
                });
              }}
            >
              {t.queue.leaveYes}
            </Button>
            <Button
              variant="secondary"
              autoFocus
              onClick={() => {
                setConfirmLeave(false);
              }}
            >
              {t.queue.leaveNo}
            </Button>
          </div>
        </div>
      ) : (
        <Button
          variant="secondary"
          onClick={() => {
            setConfirmLeave(true);
          }}
        >
          {t.queue.leave}
        </Button>
      )}
    </Panel>
  );
}
