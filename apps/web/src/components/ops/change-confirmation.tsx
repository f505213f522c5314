'use client';

import { useId } from 'react';
import { useI18n } from '../../i18n/language';
import { Button } from '../panel';
import type { EventChanges } from './use-event-changes';

/** The proposed change as old → new, and nothing is sent before ops confirm it. */
export function ChangeConfirmation({ changes }: { changes: EventChanges }) {
  const { t } = useI18n();
  const ids = useId();
  const { pending } = changes;
  if (!pending) return null;
  return (
    <div role="alertdialog" aria-labelledby={`${ids}-confirm`} aria-describedby={`${ids}-confirm-body`} className="rounded-xl border-2 border-warning bg-surface p-4">
      <h3 id={`${ids}-confirm`} className="font-bold">
        {t.ops.confirmTitle}
      </h3>
      <p id={`${ids}-confirm-body`} className="mt-1 font-mono text-sm">
        {t.ops.confirmChange(pending.what, pending.from, pending.to)}
      </p>
      <div className="mt-3 flex gap-2">
        <Button autoFocus disabled={changes.applying} onClick={() => void changes.confirm()}>
          {t.ops.confirm}
        </Button>
        <Button variant="secondary" onClick={changes.cancel}>
          {t.ops.cancel}
        </Button>
      </div>
    </div>
  );
}

/** What became of the last change: failed, applied, and once the live config shows it, in effect. */
export function ChangeStatus({ changes }: { changes: EventChanges }) {
  const { t } = useI18n();
  const { applied, error } = changes;
  return (
    <div aria-live="polite" role="status" data-testid="ops-change-status">
      {error && <p className="font-semibold text-danger">{error}</p>}
      {applied && !error && (
        <p className="font-semibold text-success">
          {applied.message}
          {changes.inEffect && <span className="ml-2 rounded-full bg-success px-2 py-0.5 text-sm text-white">{t.ops.inEffect}</span>}
        </p>
      )}
    </div>
  );
}
