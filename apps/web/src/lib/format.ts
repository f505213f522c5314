import type { Language } from '../i18n/messages';

const locales: Record<Language, string> = { de: 'de-AT', en: 'en-GB' };

export function formatNumber(value: number, lang: Language): string {
  return new Intl.NumberFormat(locales[lang]).format(value);
}

export function formatDateTime(iso: string | number, lang: Language): string {
  return new Intl.DateTimeFormat(locales[lang], {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: 'Europe/Vienna',
  }).format(new Date(iso));
}

export function formatTime(ms: number, lang: Language): string {
  return new Intl.DateTimeFormat(locales[lang], { timeStyle: 'medium' }).format(new Date(ms));
}

/** Whole days, hours, minutes and seconds until `target`; all zero once it has passed. */
export function splitDuration(ms: number): {
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
} {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return {
    days: Math.floor(total / 86_400),
    hours: Math.floor((total % 86_400) / 3_600),
    minutes: Math.floor((total % 3_600) / 60),
    seconds: total % 60,
  };
}

/** mm:ss, or h:mm:ss past an hour, for the checkout window. */
export function formatClock(ms: number): string {
  const { days, hours, minutes, seconds } = splitDuration(ms);
  const h = days * 24 + hours;
  const mm = String(minutes).padStart(2, '0');
  const ss = String(seconds).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
