'use client';

import { useEffect, useState } from 'react';
import { seededEventId } from '../../lib/events';

const tokenKey = 'frequency:ops-token';

export interface OpsSession {
  /** The ops token, or null while signed out. */
  token: string | null;
  /** What is typed in the sign-in field; kept after a rejection, so a typo is fixed, not retyped. */
  tokenDraft: string;
  setTokenDraft: (value: string) => void;
  /** Why the last sign-in ended (token rejected), shown on the sign-in form. */
  tokenError: string | null;
  /** The event on screen: `?event=` of the address, else the seeded one. */
  eventId: string;
  signIn: (token: string) => void;
  signOut: (message: string | null) => void;
  showEvent: (eventId: string) => void;
}

/**
 * The ops token, kept in sessionStorage: once per tab, gone with the tab, never sent to the fans'
 * APIs. Storage and the address are read after mounting, so the server-rendered shell matches.
 */
export function useOpsSession(): OpsSession {
  const [token, setToken] = useState<string | null>(null);
  const [tokenDraft, setTokenDraft] = useState('');
  const [tokenError, setTokenError] = useState<string | null>(null);
  const [eventId, setEventId] = useState(seededEventId);

  useEffect(() => {
    try {
      setToken(sessionStorage.getItem(tokenKey));
    } catch {
      // sessionStorage unavailable: sign in each time.
    }
    const fromQuery = new URLSearchParams(window.location.search).get('event');
    if (fromQuery) setEventId(fromQuery);
  }, []);

  return {
    token,
    tokenDraft,
    setTokenDraft,
    tokenError,
    eventId,
    signIn: (value) => {
      try {
        sessionStorage.setItem(tokenKey, value);
      } catch {
        // kept in memory only
      }
      setTokenError(null);
      setToken(value);
    },
    signOut: (message) => {
      try {
        sessionStorage.removeItem(tokenKey);
      } catch {
        // nothing stored
      }
      setToken(null);
      setTokenError(message);
    },
    showEvent: setEventId,
  };
}
