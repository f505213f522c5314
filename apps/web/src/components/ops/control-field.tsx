'use client';

import { useI18n } from '../../i18n/language';
import { Button } from '../panel';

/** One setting with its own "apply" button: Enter in the field proposes that change only. */
export function ControlField(props: {
  id: string;
  label: string;
  type: 'number' | 'datetime-local';
  value: string;
  disabled: boolean;
  onChange: (value: string) => void;
  onApply: () => void;
}) {
  const { t } = useI18n();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply();
      }}
    >
      <label htmlFor={props.id} className="block font-semibold">
        {props.label}
      </label>
      <div className="mt-1 flex gap-2">
        <input
          id={props.id}
          type={props.type}
          step={props.type === 'number' ? 'any' : 1}
          min={props.type === 'number' ? 0 : undefined}
          value={props.value}
          onChange={(e) => {
            props.onChange(e.target.value);
          }}
          className="focus-ring w-full min-w-0 rounded-lg border-2 border-ink-soft px-3 py-2"
        />
        <Button type="submit" variant="secondary" disabled={props.disabled}>
          {t.ops.apply}
        </Button>
      </div>
    </form>
  );
}
