'use client';

import { useId } from 'react';
import { useI18n } from '../../i18n/language';
import { Button } from '../panel';

export function OpsSignIn(props: { draft: string; onDraft: (value: string) => void; error: string | null; onSignIn: (token: string) => void }) {
  const { draft, onDraft, error, onSignIn } = props;
  const { t } = useI18n();
  const ids = useId();
  return (
    <section aria-labelledby={`${ids}-title`} className="rounded-2xl border-2 border-line bg-surface p-6">
      <h1 id={`${ids}-title`} className="text-2xl font-bold">
        {t.ops.title}
      </h1>
      <form
        className="mt-4 space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          const value = draft.trim();
          if (value) onSignIn(value);
        }}
      >
        <label htmlFor={`${ids}-token`} className="block font-semibold">
          {t.ops.tokenLabel}
        </label>
        <input
          id={`${ids}-token`}
          type="password"
          autoComplete="off"
          value={draft}
          onChange={(e) => {
            onDraft(e.target.value);
          }}
          aria-describedby={`${ids}-token-help`}
          className="focus-ring block w-full rounded-lg border-2 border-ink-soft px-3 py-3"
        />
        <p id={`${ids}-token-help`} className="text-sm text-ink-soft">
          {t.ops.tokenHelp}
        </p>
        {error && (
          <p role="alert" className="font-semibold text-danger">
            {error}
          </p>
        )}
        <Button type="submit">{t.ops.signIn}</Button>
      </form>
    </section>
  );
}
