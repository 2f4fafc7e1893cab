import { describe, expect, it } from 'vitest';
import { classSteps } from './class-steps';
import { currentCell, frequentReasons, funnel, sortLearners, stuckAfter, stuckOf } from './class-insights';
import { cell, grid, learner, minutesAgo, now } from './test-fixtures';

const steps = classSteps(['arquitetura', 'registries'], 'pt-BR');
const portReason = (seen: string) => ({ code: 'port-not-published', values: { host: 'host1', name: 'banco', expected: '5433', seen } });

describe('stuck learners', () => {
  it('are on one step longer than the limit, or failed its check again and again', () => {
    const long = learner(1, { cells: [cell('arquitetura', 'client-e-daemon', { since: minutesAgo(stuckAfter.ms / 60_000 + 1) })] });
    const failing = learner(2, { cells: [cell('arquitetura', 'client-e-daemon', { since: minutesAgo(1), attempts: stuckAfter.attempts })] });
    const fine = learner(3, { cells: [cell('arquitetura', 'client-e-daemon', { since: minutesAgo(1), attempts: 1 })] });
    expect(stuckOf(long, now)).toMatchObject({ why: 'long' });
    expect(stuckOf(failing, now)).toMatchObject({ why: 'failures', attempts: stuckAfter.attempts });
    expect(stuckOf(fine, now)).toBeUndefined();
  });

  it('are only those with a lab open: yesterday’s unfinished step is not being stuck now', () => {
    const away = learner(1, { active: false, cells: [cell('arquitetura', 'client-e-daemon', { since: minutesAgo(600) })] });
    expect(stuckOf(away, now)).toBeUndefined();
  });

  it('are judged on the step reached last, not on an earlier one left behind', () => {
    const moved = learner(1, {
      cells: [cell('arquitetura', 'client-e-daemon', { since: minutesAgo(30), attempts: 5 }), cell('arquitetura', 'pull-postgres', { since: minutesAgo(1) })],
    });
    expect(currentCell(moved)?.step).toBe('pull-postgres');
    expect(stuckOf(moved, now)).toBeUndefined();
  });

  it('sort first, after those asking for help, the longest stuck first; the rest in joining order', () => {
    const rows = sortLearners(
      [
        learner(1, { cells: [cell('arquitetura', 'client-e-daemon', { state: 'done' })] }),
        learner(2, { cells: [cell('arquitetura', 'pull-postgres', { since: minutesAgo(10) })] }),
        learner(3, { cells: [cell('arquitetura', 'pull-postgres', { since: minutesAgo(1), attempts: 4 })] }),
        learner(4, { helpRequested: true }),
        learner(5, { cells: [cell('arquitetura', 'pull-postgres', { since: minutesAgo(30) })] }),
        learner(6),
      ],
      now,
    );
    expect(rows.map((row) => row.number)).toEqual([4, 5, 2, 3, 1, 6]);
  });
});

describe('the funnel', () => {
  it('counts per step the learners who reached it and those who passed it, in the class’s step order', () => {
    const rows = funnel(
      grid([
        learner(1, { cells: [cell('arquitetura', 'client-e-daemon', { state: 'done' }), cell('arquitetura', 'pull-postgres')] }),
        learner(2, { cells: [cell('arquitetura', 'client-e-daemon')] }),
        learner(3, { cells: [cell('registries', 'pull-do-hub', { state: 'done' })] }),
        learner(4),
      ]),
      steps,
    );
    expect(rows).toHaveLength(steps.length);
    expect(rows.slice(0, 3).map((row) => [row.step.step, row.reached, row.passed])).toEqual([
      ['client-e-daemon', 2, 1],
      ['pull-postgres', 1, 0],
      ['run-postgres', 0, 0],
    ]);
    expect(rows.find((row) => row.step.step === 'pull-do-hub')).toMatchObject({ reached: 1, passed: 1 });
  });
});

describe('frequent reasons', () => {
  it('count per step the learners whose last failed check gave each reason, most frequent first, worded with the values most saw', () => {
    const byStep = frequentReasons(
      grid([
        learner(1, { cells: [cell('arquitetura', 'run-postgres', { lastReason: portReason('8080→5432') })] }),
        learner(2, { cells: [cell('arquitetura', 'run-postgres', { lastReason: portReason('8080→5432') })] }),
        learner(3, { cells: [cell('arquitetura', 'run-postgres', { lastReason: portReason('5432→5432') })] }),
        learner(4, { cells: [cell('arquitetura', 'run-postgres', { lastReason: { code: 'no-container', values: { host: 'host1', image: 'postgres' } } })] }),
        learner(5, { cells: [cell('arquitetura', 'client-e-daemon', { state: 'done' })] }),
      ]),
      steps,
    );
    expect(byStep).toHaveLength(1);
    expect(byStep[0].step.step).toBe('run-postgres');
    expect(byStep[0].reasons).toEqual([
      { code: 'port-not-published', learners: 3, values: portReason('8080→5432').values },
      { code: 'no-container', learners: 1, values: { host: 'host1', image: 'postgres' } },
    ]);
  });

  it('keep at most the limit per step', () => {
    const codes = ['a-1', 'b-2', 'c-3', 'd-4'];
    const byStep = frequentReasons(grid(codes.map((code, i) => learner(i + 1, { cells: [cell('arquitetura', 'run-postgres', { lastReason: { code, values: {} } })] }))), steps, 3);
    expect(byStep[0].reasons.map((reason) => reason.code)).toEqual(['a-1', 'b-2', 'c-3']);
  });
});
