import { describe, expect, test } from 'vitest';
import { messages } from '../i18n/messages';
import { rejectionText } from './order-view';

describe('a rejected order', () => {
  test('says why in the fan’s language, and falls back to the general line without a reason', () => {
    expect(rejectionText(messages.en, 'SOLD_OUT')).toMatch(/last tickets were already gone/);
    expect(rejectionText(messages.de, 'SOLD_OUT')).toMatch(/letzten Tickets waren schon vergeben/);
    expect(rejectionText(messages.en, 'FAILED')).toMatch(/technical fault/);
    expect(rejectionText(messages.de, 'INVALID')).toMatch(/nicht angenommen/);
    expect(rejectionText(messages.en, null)).toBe(messages.en.order.rejectedBody);
    expect(rejectionText(messages.de, undefined)).toBe(messages.de.order.rejectedBody);
  });

  test('every reason has its words in every language', () => {
    for (const t of Object.values(messages))
      for (const reason of ['SOLD_OUT', 'INVALID', 'FAILED'] as const)
        expect(rejectionText(t, reason)).not.toBe(t.order.rejectedBody);
  });
});
