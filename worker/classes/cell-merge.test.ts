// How a report changes a cell, and what the timeline gains: passes stick, counts only grow.
import { describe, expect, it } from 'vitest';
import { mergeCell, cellChanged, type StoredCell } from './cell-merge';

const now = '2026-12-01T10:10:00.000Z';
const reason = { code: 'not-pulled', values: { host: 'host1', image: 'postgres' } };
const step = (more: Partial<Parameters<typeof mergeCell>[2]> = {}) => ({ step: 'pull-postgres', state: 'working' as const, attempts: 0, hintsUsed: 0, since: '2026-12-01T10:00:00.000Z', passedAt: null, lastReason: null, ...more });

describe('a reported step', () => {
  it('reached for the first time is a working cell and a "reached" event at its time', () => {
    const { cell, events } = mergeCell('arquitetura', undefined, step(), now);
    expect(cell).toEqual({ lab: 'arquitetura', step: 'pull-postgres', state: 'working', attempts: 0, hintsUsed: 0, since: '2026-12-01T10:00:00.000Z', passedAt: null, lastReason: null });
    expect(events).toEqual([{ at: '2026-12-01T10:00:00.000Z', kind: 'reached', lab: 'arquitetura', step: 'pull-postgres' }]);
  });

  it('with more attempts adds a "failed" event with its reason, stamped when reported', () => {
    const previous = mergeCell('arquitetura', undefined, step(), now).cell;
    const { cell, events } = mergeCell('arquitetura', previous, step({ attempts: 2, lastReason: reason }), now);
    expect(cell).toMatchObject({ attempts: 2, lastReason: reason });
    expect(events).toEqual([{ at: now, kind: 'failed', lab: 'arquitetura', step: 'pull-postgres', reason }]);
  });

  it('passed keeps its first pass, its last reason and its attempts, whatever a later report says', () => {
    const failed = mergeCell('arquitetura', undefined, step({ attempts: 2, lastReason: reason }), now).cell;
    const passed = mergeCell('arquitetura', failed, step({ state: 'done', attempts: 2, passedAt: '2026-12-01T10:05:00.000Z' }), now);
    expect(passed.events).toEqual([{ at: '2026-12-01T10:05:00.000Z', kind: 'passed', lab: 'arquitetura', step: 'pull-postgres' }]);
    expect(passed.cell).toMatchObject({ state: 'done', passedAt: '2026-12-01T10:05:00.000Z', lastReason: reason });
    const stale: StoredCell = mergeCell('arquitetura', passed.cell, step({ attempts: 1, since: '2026-12-01T09:00:00.000Z' }), now).cell;
    expect(stale).toEqual(passed.cell);
    expect(cellChanged(passed.cell, stale)).toBe(false);
  });

  it('passed without a time is stamped when reported', () => {
    expect(mergeCell('arquitetura', undefined, step({ state: 'done' }), now).cell.passedAt).toBe(now);
  });
});
