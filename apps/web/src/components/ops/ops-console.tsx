'use client';

import { createOpsApi } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useApi } from '../../lib/hooks';
import { useI18n } from '../../i18n/language';
import { Button } from '../panel';
import { AuditTrail } from './audit-trail';
import { EventPicker } from './event-picker';
import { OpsCharts } from './ops-charts';
import { OpsControls } from './ops-controls';
import { OpsFigures, ServiceStates } from './ops-figures';
import { OpsSignIn } from './ops-sign-in';
import { useEventChanges } from './use-event-changes';
import { useOpsSession } from './use-ops-session';
import { useOpsTelemetry } from './use-ops-telemetry';

const opsApi = createOpsApi();

/**
 * The ops console: sign in with the ops token, watch one event's figures every second, and change
 * its admission settings with a confirmation step. The ops API alone decides what the token may do.
 */
export function OpsConsole() {
  const { t, lang } = useI18n();
  const { api } = useApi();
  const session = useOpsSession();
  const { token, eventId } = session;
  const telemetry = useOpsTelemetry({
    opsApi,
    ready: api !== null,
    token,
    eventId,
    onRejected: () => {
      session.signOut(t.ops.tokenRejected);
    },
  });
  const config = telemetry.admin?.config;
  const changes = useEventChanges({ opsApi, token, eventId, config, onApplied: telemetry.showConfig });

  if (token === null) {
    return <OpsSignIn draft={session.tokenDraft} onDraft={session.setTokenDraft} error={session.tokenError} onSignIn={session.signIn} />;
  }

  const { metrics, problem, lastUpdate } = telemetry;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-3xl font-black">{t.ops.title}</h1>
        <Button
          variant="secondary"
          onClick={() => {
            telemetry.forget();
            session.signOut(null);
          }}
        >
          {t.ops.signOut}
        </Button>
      </div>
      <EventPicker
        eventId={eventId}
        onShow={(next) => {
          telemetry.reset();
          changes.forget();
          session.showEvent(next);
        }}
      />
      <p className="text-sm text-ink-soft" role="status">
        {problem ?? (lastUpdate ? `${t.ops.live} · ${formatTime(lastUpdate, lang)}` : t.ops.stale)}
      </p>
      {metrics && <ServiceStates metrics={metrics} />}
      <OpsFigures admin={telemetry.admin} metrics={metrics} traffic={telemetry.traffic} />
      <OpsCharts points={telemetry.points} />
      <OpsControls changes={changes} config={config} />
      <AuditTrail eventId={eventId} token={token} />
    </div>
  );
}
