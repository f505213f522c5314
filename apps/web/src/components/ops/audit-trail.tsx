'use client';

import type { AuditChange, AuditEntry } from '@frequency/contracts';
import { useId } from 'react';
import type { Messages } from '../../i18n/messages';
import { useI18n } from '../../i18n/language';
import { createOpsApi } from '../../lib/api';
import { formatDateTime, formatNumber, formatTime } from '../../lib/format';
import { useAudit } from '../../lib/use-audit';

const opsApi = createOpsApi();

/** Recent ops changes of the event: who, when, which setting, old → new. */
export function AuditTrail({ eventId, token }: { eventId: string; token: string }) {
  const { t } = useI18n();
  const id = useId();
  const { entries, problem } = useAudit(opsApi, eventId, token);
  return (
    <section aria-labelledby={`${id}-title`} className="space-y-3 rounded-2xl border-2 border-line bg-surface p-5">
      <h2 id={`${id}-title`} className="text-xl font-bold">
        {t.ops.audit.title}
      </h2>
      {problem && (
        <p role="status" className="text-sm text-danger">
          {t.ops.audit.unavailable} ({problem})
        </p>
      )}
      {entries?.length === 0 && <p className="text-sm text-ink-soft">{t.ops.audit.empty}</p>}
      {entries && entries.length > 0 && (
        <table className="w-full text-left text-sm" data-testid="audit-trail">
          <thead>
            <tr className="border-b-2 border-line">
              <th scope="col" className="py-1 pr-3">{t.ops.audit.when}</th>
              <th scope="col" className="py-1 pr-3">{t.ops.audit.who}</th>
              <th scope="col" className="py-1 pr-3">{t.ops.audit.field}</th>
              <th scope="col" className="py-1">{t.ops.audit.change}</th>
            </tr>
          </thead>
          <tbody>
            {entries.flatMap((entry) =>
              rows(entry).map((row) => (
                <AuditRow key={`${entry.id}:${row.id}`} entry={entry} field={row.field} change={row.change} />
              )),
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface Row {
  id: string;
  field: string;
  change: AuditChange | null;
}

/** One row per changed setting; a created event is one row, not a dozen. */
function rows(entry: AuditEntry): Row[] {
  if (entry.action === 'create_event') return [{ id: 'create', field: '', change: null }];
  return entry.changes.map((change) => ({ id: change.field, field: change.field, change }));
}

function AuditRow({ entry, field, change }: { entry: AuditEntry; field: string; change: AuditChange | null }) {
  const { t, lang } = useI18n();
  const value = (v: AuditChange['from']) => {
    if (v === null) return '–';
    if (typeof v === 'boolean') return v ? t.ops.audit.yes : t.ops.audit.no;
    if (typeof v === 'number') return formatNumber(v, lang);
    return field === 'opensAt' ? formatDateTime(v, lang) : v;
  };
  return (
    <tr className="border-b border-line align-top" data-testid="audit-entry">
      <td className="py-1 pr-3 tabular-nums">{formatTime(Date.parse(entry.at), lang)}</td>
      <td className="py-1 pr-3 font-mono">{entry.actor}</td>
      <td className="py-1 pr-3">{change ? fieldLabel(t, field) : t.ops.audit.created}</td>
      <td className="py-1 font-mono">{change ? `${value(change.from)} → ${value(change.to)}` : '–'}</td>
    </tr>
  );
}

function fieldLabel(t: Messages, field: string): string {
  const labels: Record<string, string> = {
    admissionRatePerSecond: t.ops.rateLabel,
    maxActiveCheckouts: t.ops.capLabel,
    opensAt: t.ops.opensAtLabel,
    ...t.ops.audit.fields,
  };
  return labels[field] ?? field;
}
