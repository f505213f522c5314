'use client';

import type { EventConfig, PatchEventBody } from '@frequency/contracts';
import { useEffect, useRef, useState } from 'react';
import { ApiError, type OpsApi } from '../../lib/api';
import { useI18n } from '../../i18n/language';
import {
  capChange,
  isInEffect,
  opensAtChange,
  pauseChange,
  rateChange,
  toLocalInput,
  type PendingChange,
} from './event-changes';

export interface Drafts {
  rate: string;
  cap: string;
  opens: string;
}

export interface EventChanges {
  drafts: Drafts;
  setDraft: (field: keyof Drafts, value: string) => void;
  /** Turns a draft into a change awaiting confirmation; an invalid draft proposes nothing. */
  propose: (field: keyof Drafts | 'pause') => void;
  pending: PendingChange | null;
  applying: boolean;
  confirm: () => Promise<void>;
  cancel: () => void;
  applied: { message: string; body: PatchEventBody } | null;
  /** True once the live config reports every field of the applied change. */
  inEffect: boolean;
  error: string | null;
  /** Forgets the last applied change, e.g. when ops switch to another event. */
  forget: () => void;
}

/**
 * Propose → confirm → apply → "in effect" for the event's controls. The drafts start from the live
 * config once per event, so a running poll never overwrites what ops are typing.
 */
export function useEventChanges(options: {
  opsApi: OpsApi;
  token: string | null;
  eventId: string;
  config: EventConfig | undefined;
  onApplied: (config: EventConfig) => void;
}): EventChanges {
  const { opsApi, token, eventId, config, onApplied } = options;
  const { t } = useI18n();
  const [drafts, setDrafts] = useState<Drafts>({ rate: '', cap: '', opens: '' });
  const [pending, setPending] = useState<PendingChange | null>(null);
  const [applying, setApplying] = useState(false);
  const [applied, setApplied] = useState<{ message: string; body: PatchEventBody } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const draftsFor = useRef<string | null>(null);
  useEffect(() => {
    if (!config || draftsFor.current === eventId) return;
    draftsFor.current = eventId;
    setDrafts({
      rate: String(config.admissionRatePerSecond),
      cap: String(config.maxActiveCheckouts),
      opens: toLocalInput(config.opensAt),
    });
  }, [config, eventId]);

  function propose(field: keyof Drafts | 'pause') {
    if (!config) return;
    const change =
      field === 'rate'
        ? rateChange(drafts.rate, config, t.ops.rateLabel)
        : field === 'cap'
          ? capChange(drafts.cap, config, t.ops.capLabel)
          : field === 'opens'
            ? opensAtChange(drafts.opens, config, t.ops.opensAtLabel)
            : pauseChange(config, config.paused ? t.ops.resume : t.ops.pause);
    if (change) setPending(change);
  }

  async function confirm() {
    if (!token || !pending) return;
    const change = pending;
    setApplying(true);
    setError(null);
    try {
      onApplied(await opsApi.patchEvent(eventId, token, change.body));
      setApplied({ message: t.ops.applied(change.what, change.to), body: change.body });
      setPending(null);
    } catch (err) {
      setError(`${t.ops.failed}: ${err instanceof ApiError ? `${err.code} ${err.message}` : String(err)}`);
    } finally {
      setApplying(false);
    }
  }

  return {
    drafts,
    setDraft: (field, value) => {
      setDrafts((current) => ({ ...current, [field]: value }));
    },
    propose,
    pending,
    applying,
    confirm,
    cancel: () => {
      setPending(null);
    },
    applied,
    inEffect: applied !== null && config !== undefined && isInEffect(applied.body, config),
    error,
    forget: () => {
      setApplied(null);
    },
  };
}
