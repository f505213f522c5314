'use client';

import { useId, useState } from 'react';
import { useI18n } from '../../i18n/language';
import { Button } from '../panel';

/** Which event the console shows; the field follows when the event changes from elsewhere (`?event=`). */
export function EventPicker({ eventId, onShow }: { eventId: string; onShow: (eventId: string) => void }) {
  const { t } = useI18n();
  const ids = useId();
  const [input, setInput] = useState(eventId);
  const [shown, setShown] = useState(eventId);
  if (shown !== eventId) {
    setShown(eventId);
    setInput(eventId);
  }
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        onShow(input.trim());
      }}
    >
      <div>
        <label htmlFor={`${ids}-event`} className="block text-sm font-semibold">
          {t.ops.eventLabel}
        </label>
        <input
          id={`${ids}-event`}
          value={input}
          onChange={(e) => {
            setInput(e.target.value);
          }}
          className="focus-ring mt-1 rounded-lg border-2 border-ink-soft px-3 py-2 font-mono"
        />
      </div>
      <Button type="submit" variant="secondary">
        {t.ops.show}
      </Button>
    </form>
  );
}
