'use client';

import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { defaultLanguage, isLanguage, type Language, messages, type Messages } from './messages';

const storageKey = 'frequency:lang';

interface LanguageContextValue {
  lang: Language;
  t: Messages;
  setLang: (lang: Language) => void;
}

const LanguageContext = createContext<LanguageContextValue>({
  lang: defaultLanguage,
  t: messages[defaultLanguage],
  setLang: () => undefined,
});

/**
 * The choice order: `?lang=` in the address (and remembered), then the remembered choice, then German.
 * Pages are prerendered in German; the switch happens in the browser, so one static page serves both.
 */
export function pickLanguage(search: string, remembered: string | null): Language {
  const fromQuery = new URLSearchParams(search).get('lang');
  if (isLanguage(fromQuery)) return fromQuery;
  if (isLanguage(remembered)) return remembered;
  return defaultLanguage;
}

function remember(lang: Language) {
  try {
    localStorage.setItem(storageKey, lang);
  } catch {
    // Private mode or storage disabled: the cookie below still carries the choice.
  }
  document.cookie = `lang=${lang}; path=/; max-age=31536000; samesite=lax`;
}

function readRemembered(): string | null {
  try {
    const stored = localStorage.getItem(storageKey);
    if (stored) return stored;
  } catch {
    // fall through to the cookie
  }
  const match = /(?:^|;\s*)lang=(de|en)/.exec(document.cookie);
  return match?.[1] ?? null;
}

export function LanguageProvider({ children }: { children: React.ReactNode }) {
  const [lang, setLangState] = useState<Language>(defaultLanguage);

  useEffect(() => {
    const picked = pickLanguage(window.location.search, readRemembered());
    if (new URLSearchParams(window.location.search).has('lang')) remember(picked);
    setLangState(picked);
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const setLang = useCallback((next: Language) => {
    remember(next);
    setLangState(next);
    const url = new URL(window.location.href);
    if (url.searchParams.has('lang')) {
      url.searchParams.set('lang', next);
      window.history.replaceState(null, '', url);
    }
  }, []);

  const value = useMemo(() => ({ lang, t: messages[lang], setLang }), [lang, setLang]);
  return <LanguageContext.Provider value={value}>{children}</LanguageContext.Provider>;
}

export function useI18n(): LanguageContextValue {
  return useContext(LanguageContext);
}

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <div role="group" aria-label={t.meta.switchTo} className="flex gap-1">
      {(['de', 'en'] as const).map((option) => (
        <button
          key={option}
          type="button"
          lang={option}
          aria-pressed={lang === option}
          onClick={() => {
            setLang(option);
          }}
          className="focus-ring rounded-md px-2.5 py-1.5 text-sm font-semibold uppercase aria-pressed:bg-white aria-pressed:text-ink text-white hover:bg-white/20 aria-pressed:hover:bg-white"
        >
          <span aria-hidden="true">{option}</span>
          <span className="sr-only">{messages[option].meta.languageName}</span>
        </button>
      ))}
    </div>
  );
}
