import { describe, expect, it } from 'vitest';
import { cellView, formatDuration } from './cell-format';
import { classSteps } from './class-steps';
import { cell, minutesAgo, now, t } from './test-fixtures';

const [first, , run] = classSteps(['arquitetura'], 'pt-BR');
const [, , runEn] = classSteps(['arquitetura'], 'en');

describe('grid cells', () => {
  it('write durations in minutes, and hours past the hour', () => {
    expect(formatDuration(45_000)).toBe('< 1 min');
    expect(formatDuration(12 * 60_000 + 59_000)).toBe('12 min');
    expect(formatDuration(65 * 60_000)).toBe('1 h 05 min');
    expect(formatDuration(-1)).toBe('< 1 min');
  });

  it('show a step not reached as such', () => {
    expect(cellView(undefined, first, now, 'pt-BR', t['pt-BR'])).toMatchObject({ state: 'not-started', lines: ['não começou'] });
  });

  it('show the step a learner is on: time on it, attempts, hints and the last reason in the page’s language', () => {
    const working = cell('arquitetura', 'run-postgres', {
      since: minutesAgo(12),
      attempts: 3,
      hintsUsed: 1,
      lastReason: { code: 'port-not-published', values: { host: 'host1', name: 'banco', expected: '5433', seen: '8080→5432' } },
    });
    const pt = cellView(working, run, now, 'pt-BR', t['pt-BR']);
    expect(pt.lines).toEqual(['neste passo', '12 min no passo', 'tentativas: 3', 'dicas: 1']);
    expect(pt.reason).toBe('A porta 5433 não está publicada no host1; o container `banco` publica 8080→5432.');
    const en = cellView(working, runEn, now, 'en', t.en);
    expect(en.lines).toEqual(['on this step', '12 min on the step', 'attempts: 3', 'hints: 1']);
    expect(en.reason).toBe('Port 5433 is not published on host1; the container `banco` publishes 8080→5432.');
    expect(en.label).toContain('Port 5433 is not published on host1; the container banco publishes');
    expect(en.label).toContain(runEn.title.replaceAll('`', ''));
    expect(en.label).not.toContain('`'); // a tooltip shows no markup
  });

  it('show a passed step with the time it took, and no stale reason', () => {
    const done = cell('arquitetura', 'run-postgres', { state: 'done', since: minutesAgo(20), passedAt: minutesAgo(5), attempts: 2, lastReason: { code: 'port-closed', values: { host: 'host1', port: '5433' } } });
    const view = cellView(done, run, now, 'en', t.en);
    expect(view.lines).toEqual(['done', 'took 15 min', 'attempts: 2']);
    expect(view.reason).toBeUndefined();
  });

  it('name a reason the catalog does not know by its code', () => {
    const view = cellView(cell('arquitetura', 'run-postgres', { lastReason: { code: 'from-a-newer-lab', values: {} } }), run, now, 'en', t.en);
    expect(view.reason).toBe('from-a-newer-lab');
  });
});
