// The hint rule the page and the agent share: failures, time on the step, whichever comes first.
import { describe, expect, it } from 'vitest';
import { openHints } from './hints.ts';

const text = (n: number) => ({ 'pt-BR': `dica ${n}`, en: `hint ${n}` });
const step = {
  hints: [
    { after: { failures: 2 }, text: text(1) },
    { after: { seconds: 60 }, text: text(2) },
    { after: { failures: 4, seconds: 300 }, text: text(3) },
  ],
};
const opened = (failures: number, sinceMs: number | undefined, nowMs: number) => openHints(step, { failures, sinceMs, nowMs }).map((hint) => hint.text.en);

describe('openHints', () => {
  it('opens none on a step just begun, without failures', () => {
    expect(opened(0, 1_000, 1_000)).toEqual([]);
  });

  it('opens a hint at its number of failures, not one before', () => {
    expect(opened(1, 0, 0)).toEqual([]);
    expect(opened(2, 0, 0)).toEqual(['hint 1']);
    expect(opened(4, 0, 0)).toEqual(['hint 1', 'hint 3']);
  });

  it('opens a hint once its seconds on the step have gone by', () => {
    expect(opened(0, 10_000, 69_999)).toEqual([]);
    expect(opened(0, 10_000, 70_000)).toEqual(['hint 2']);
    expect(opened(0, 0, 300_000)).toEqual(['hint 2', 'hint 3']);
  });

  it('opens no time-based hint on a step that was never the current one', () => {
    expect(opened(0, undefined, 10_000_000)).toEqual([]);
    expect(opened(2, undefined, 10_000_000)).toEqual(['hint 1']);
  });

  it('opens nothing on a step without hints', () => {
    expect(openHints({ hints: [] }, { failures: 99, sinceMs: 0, nowMs: 1e9 })).toEqual([]);
  });
});
