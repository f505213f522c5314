import { describe, expect, it } from 'vitest';
import { PLAN_BEGIN, PLAN_END, spliceTables } from '../src/plan-doc.js';

describe('spliceTables', () => {
  it('replaces only what lies between the markers', () => {
    const doc = `# Plan\n\nbefore\n${PLAN_BEGIN}\nold table\n${PLAN_END}\nafter\n`;
    expect(spliceTables(doc, '| new |\n')).toBe(
      `# Plan\n\nbefore\n${PLAN_BEGIN}\n\n| new |\n\n${PLAN_END}\nafter\n`,
    );
  });

  it('leaves a document without markers alone', () => {
    expect(spliceTables('# Plan\n', '| new |')).toBeNull();
  });
});
