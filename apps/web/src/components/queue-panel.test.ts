import { describe, expect, test } from 'vitest';
import { pickLanguage } from '../i18n/language';
import { queueProgress } from './queue-panel';

describe('the progress bar', () => {
  test('counts from the largest line seen ahead', () => {
    expect(queueProgress(100, 100)).toBe(0);
    expect(queueProgress(25, 100)).toBe(75);
    expect(queueProgress(0, 100)).toBe(100);
    expect(queueProgress(0, 0)).toBe(100);
    expect(queueProgress(null, 10)).toBe(0);
    expect(queueProgress(120, 100)).toBe(0);
  });
});

describe('the language choice', () => {
  test('the address beats the remembered choice, which beats German', () => {
    expect(pickLanguage('?lang=en', 'de')).toBe('en');
    expect(pickLanguage('', 'en')).toBe('en');
    expect(pickLanguage('?lang=fr', null)).toBe('de');
    expect(pickLanguage('', 'xx')).toBe('de');
  });
});
