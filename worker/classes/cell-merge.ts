// How an agent's report of a step changes a learner's grid cell, and what the learner's timeline
// gains from it. A step passes once: a later report cannot take it back, attempts and hints only
// grow, and the last reason given stays until another replaces it, so a report retried out of
// order changes nothing it should not.
import type { ActivityReport, ClassEvent, GridCell } from '../../protocol/classes.ts';

export type ReportedStep = ActivityReport['steps'][number];

/** A stored cell: a grid cell that was reached or passed (never `not-started`). */
export type StoredCell = GridCell & { state: 'done' | 'working' };

export function mergeCell(lab: string, previous: StoredCell | undefined, reported: ReportedStep, now: string): { cell: StoredCell; events: ClassEvent[] } {
  const done = previous?.state === 'done' || reported.state === 'done';
  const cell: StoredCell = {
    lab,
    step: reported.step,
    state: done ? 'done' : 'working',
    attempts: Math.max(previous?.attempts ?? 0, reported.attempts),
    hintsUsed: Math.max(previous?.hintsUsed ?? 0, reported.hintsUsed),
    since: previous?.since && previous.state === 'done' ? previous.since : (reported.since ?? previous?.since ?? null),
    passedAt: previous?.state === 'done' ? previous.passedAt : done ? (reported.passedAt ?? now) : null,
    lastReason: reported.lastReason ?? previous?.lastReason ?? null,
  };
  const events: ClassEvent[] = [];
  const where = { lab, step: reported.step };
  if (cell.since && cell.since !== previous?.since) events.push({ at: cell.since, kind: 'reached', ...where });
  if (cell.attempts > (previous?.attempts ?? 0) && previous?.state !== 'done') {
    events.push({ at: now, kind: 'failed', ...where, ...(reported.lastReason ? { reason: reported.lastReason } : {}) });
  }
  if (cell.state === 'done' && previous?.state !== 'done') events.push({ at: cell.passedAt ?? now, kind: 'passed', ...where });
  return { cell, events };
}

/** Whether the merge changed what the grid shows. */
export function cellChanged(previous: StoredCell | undefined, cell: StoredCell): boolean {
  if (!previous) return true;
  const fields = ['state', 'attempts', 'hintsUsed', 'since', 'passedAt'] as const;
  return fields.some((field) => previous[field] !== cell[field]) || JSON.stringify(previous.lastReason) !== JSON.stringify(cell.lastReason);
}
