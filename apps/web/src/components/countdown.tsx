'use client';

import { splitDuration } from '../lib/format';
import { useNow } from '../lib/hooks';
import { useI18n } from '../i18n/language';

/** Days, hours, minutes and seconds to `target`; a timer role, so screen readers do not read every tick. */
export function Countdown({ target, label }: { target: number; label: string }) {
  const now = useNow();
  const { t } = useI18n();
  if (now === null) return <div className="h-20" aria-hidden="true" />;
  const left = target - now;
  if (left <= 0) {
    return <p className="text-2xl font-bold text-ink">{t.countdown.now}</p>;
  }
  const parts = splitDuration(left);
  const units = [
    { value: parts.days, unit: t.countdown.days },
    { value: parts.hours, unit: t.countdown.hours },
    { value: parts.minutes, unit: t.countdown.minutes },
    { value: parts.seconds, unit: t.countdown.seconds },
  ].filter((part, index) => index > 0 || part.value > 0);
  const spoken = units.map((part) => `${part.value} ${part.unit}`).join(' ');
  return (
    <div>
      <p className="text-sm font-semibold uppercase tracking-wide text-ink-soft">{label}</p>
      <div role="timer" aria-label={t.countdown.label(spoken)} className="mt-2 flex gap-2" data-testid="countdown">
        {units.map((part) => (
          <div
            key={part.unit}
            className="min-w-16 rounded-lg bg-ink px-3 py-2 text-center text-white"
            aria-hidden="true"
          >
            <span className="block text-3xl font-bold tabular-nums">
              {String(part.value).padStart(2, '0')}
            </span>
            <span className="block text-xs uppercase">{part.unit}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
