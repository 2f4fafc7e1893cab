import { describe, expect, it } from 'vitest';
import { classLiveMessageSchema, type ClassLiveMessage } from '../../protocol/classes.ts';
import { applyLive } from './grid-state';
import { cell, grid, learner, minutesAgo } from './test-fixtures';

const live = (message: unknown): ClassLiveMessage => classLiveMessageSchema.parse(message);

describe('the grid under live messages', () => {
  const start = grid([learner(1, { cells: [cell('arquitetura', 'client-e-daemon', { state: 'done', passedAt: minutesAgo(5) }), cell('arquitetura', 'pull-postgres', { since: minutesAgo(5) })] })]);

  it('puts changed cells in place of the old ones and adds new ones', () => {
    const next = applyLive(start, live({ type: 'cells', learner: 'm1', cells: [cell('arquitetura', 'pull-postgres', { state: 'done', passedAt: minutesAgo(0) }), cell('arquitetura', 'run-postgres', { since: minutesAgo(0) })], active: true }));
    expect(next.learners[0].cells.map((c) => [c.step, c.state])).toEqual([
      ['client-e-daemon', 'done'],
      ['pull-postgres', 'done'],
      ['run-postgres', 'working'],
    ]);
    expect(start.learners[0].cells).toHaveLength(2); // the old grid is left as it was
  });

  it('adds a learner who joins, renames one who joins again, and drops one who deleted their data', () => {
    const joined = applyLive(start, live({ type: 'learner', learner: { id: 'm2', number: 2, displayName: 'Ana', joinedAt: minutesAgo(0), active: false, helpRequested: false } }));
    expect(joined.learners.map((l) => [l.id, l.displayName, l.cells.length])).toEqual([
      ['m1', null, 2],
      ['m2', 'Ana', 0],
    ]);
    const renamed = applyLive(joined, live({ type: 'learner', learner: { ...learner(1), displayName: 'Bia', cells: undefined } }));
    expect(renamed.learners[0]).toMatchObject({ displayName: 'Bia', cells: start.learners[0].cells });
    expect(applyLive(renamed, live({ type: 'removed', learner: 'm1' })).learners.map((l) => l.id)).toEqual(['m2']);
  });

  it('follows help requests, presence and the class’s state', () => {
    const helped = applyLive(start, live({ type: 'help', learner: 'm1', requested: true }));
    expect(helped.learners[0].helpRequested).toBe(true);
    const left = applyLive(helped, live({ type: 'cells', learner: 'm1', cells: [], active: false }));
    expect(left.learners[0].active).toBe(false);
    const ended = applyLive(left, live({ type: 'class', class: { ...start.class, state: 'ended' } }));
    expect(ended.class.state).toBe('ended');
  });

  it('ignores messages about a learner it does not know', () => {
    expect(applyLive(start, live({ type: 'help', learner: 'nobody', requested: true }))).toEqual(start);
  });
});
