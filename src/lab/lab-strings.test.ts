import { describe, expect, it } from 'vitest';
import { formatTimeLeft, formatter, type LabStrings } from './lab-strings';

describe('lab strings', () => {
  it('fills placeholders and leaves the rest of the text alone', () => {
    const t = formatter({ 'doca.lab.run': 'Executar no {{host}}' } as LabStrings);
    expect(t('doca.lab.run', { host: 'host2' })).toBe('Executar no host2');
  });

  it('writes time left as h:mm:ss or m:ss, never negative', () => {
    expect(formatTimeLeft(7_200_000)).toBe('2:00:00');
    expect(formatTimeLeft(65_500)).toBe('1:05');
    expect(formatTimeLeft(-5_000)).toBe('0:00');
  });
});
