'use client';

import type { AuditEntry } from '@frequency/contracts';
import { useState } from 'react';
import { ApiError, type OpsApi } from './api';
import { usePollLoop } from './hooks';

/** A change shows up within this long; the trail is for reading back, not for the live figures. */
const refreshMs = 2_000;
const shown = 20;

export interface AuditState {
  entries: AuditEntry[] | null;
  /** The error code of the last failed refresh, or null while refreshes succeed. */
  problem: string | null;
}

/** The newest ops changes of one event, refreshed while a token is set. */
export function useAudit(opsApi: OpsApi, eventId: string, token: string | null): AuditState {
  const [state, setState] = useState<AuditState>({ entries: null, problem: null });
  usePollLoop(
    async (signal) => {
      if (!token) return refreshMs;
      try {
        const list = await opsApi.audit(eventId, token, shown, signal);
        setState({ entries: list.entries, problem: null });
      } catch (err) {
        if (err instanceof DOMException && err.name === 'AbortError') return refreshMs;
        const code = err instanceof ApiError ? err.code : 'NETWORK';
        setState((current) => ({ entries: current.entries, problem: code }));
        if (err instanceof ApiError && err.retryAfterMs !== null)
          return Math.max(refreshMs, err.retryAfterMs);
      }
      return refreshMs;
    },
    token !== null,
    `${eventId}:${token ?? ''}`,
  );
  return state;
}
