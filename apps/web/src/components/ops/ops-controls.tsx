'use client';

import type { EventConfig } from '@frequency/contracts';
import { useId } from 'react';
import { useI18n } from '../../i18n/language';
import { Button } from '../panel';
import { ChangeConfirmation, ChangeStatus } from './change-confirmation';
import { ControlField } from './control-field';
import type { EventChanges } from './use-event-changes';

/** Admission rate, active cap, opening time and pause; disabled until the live config is known. */
export function OpsControls({ changes, config }: { changes: EventChanges; config: EventConfig | undefined }) {
  const { t } = useI18n();
  const ids = useId();
  const { drafts, setDraft, propose } = changes;
  return (
    <section aria-labelledby={`${ids}-controls`} className="space-y-4 rounded-2xl border-2 border-line bg-surface p-5">
      <h2 id={`${ids}-controls`} className="text-xl font-bold">
        {t.ops.controls}
      </h2>
      <div className="grid gap-4 md:grid-cols-2">
        <ControlField
          id={`${ids}-rate`}
          label={t.ops.rateLabel}
          type="number"
          value={drafts.rate}
          onChange={(value) => {
            setDraft('rate', value);
          }}
          disabled={!config}
          onApply={() => {
            propose('rate');
          }}
        />
        <ControlField
          id={`${ids}-cap`}
          label={t.ops.capLabel}
          type="number"
          value={drafts.cap}
          onChange={(value) => {
            setDraft('cap', value);
          }}
          disabled={!config}
          onApply={() => {
            propose('cap');
          }}
        />
        <ControlField
          id={`${ids}-opens`}
          label={t.ops.opensAtLabel}
          type="datetime-local"
          value={drafts.opens}
          onChange={(value) => {
            setDraft('opens', value);
          }}
          disabled={!config}
          onApply={() => {
            propose('opens');
          }}
        />
        <div className="flex items-end">
          <Button
            variant={config?.paused ? 'primary' : 'danger'}
            disabled={!config}
            onClick={() => {
              propose('pause');
            }}
          >
            {config?.paused ? t.ops.resume : t.ops.pause}
          </Button>
        </div>
      </div>
      <ChangeConfirmation changes={changes} />
      <ChangeStatus changes={changes} />
    </section>
  );
}
