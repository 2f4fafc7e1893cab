// What the instructor reads from the grid at a glance: who is stuck (long on one step, or failing
// it again and again) and sorts first, how many reached and passed each step (the funnel), and the
// most frequent reasons the checks gave per step, which point at an instruction that is unclear.
import type { ClassGrid, ClassLearner, GridCell } from '../../protocol/classes.ts';
import { stepKey, type ClassStep } from './class-steps';

/** A learner is stuck after this long on the step they are on, or this many failed checks of it. */
export const stuckAfter = { ms: 8 * 60_000, attempts: 3 } as const;

/** The step a learner is on: of the steps reached and not passed, the one reached last. */
export function currentCell(learner: Pick<ClassLearner, 'cells'>): GridCell | undefined {
  const working = learner.cells.filter((cell) => cell.state === 'working');
  return working.reduce<GridCell | undefined>((latest, cell) => (!latest || (cell.since ?? '') > (latest.since ?? '') ? cell : latest), undefined);
}

export type Stuck = { why: 'long'; ms: number; cell: GridCell } | { why: 'failures'; attempts: number; cell: GridCell };

/**
 * Whether a learner with a lab open is stuck on their current step, and why: repeated failures
 * say more than time (the learner is trying), so they are named first.
 */
export function stuckOf(learner: ClassLearner, now: number): Stuck | undefined {
  const cell = currentCell(learner);
  if (!learner.active || !cell) return undefined;
  if (cell.attempts >= stuckAfter.attempts) return { why: 'failures', attempts: cell.attempts, cell };
  const ms = cell.since ? now - Date.parse(cell.since) : 0;
  return ms >= stuckAfter.ms ? { why: 'long', ms, cell } : undefined;
}

/** Time on the current step (0 when there is none). */
function timeOnStep(learner: ClassLearner, now: number): number {
  const since = currentCell(learner)?.since;
  return since ? now - Date.parse(since) : 0;
}

/**
 * The grid's rows: learners asking for help first, then stuck ones (longest on their step first),
 * then everyone else in the order they joined.
 */
export function sortLearners(learners: readonly ClassLearner[], now: number): ClassLearner[] {
  const rank = (learner: ClassLearner) => (learner.helpRequested ? 0 : stuckOf(learner, now) ? 1 : 2);
  return [...learners].sort((a, b) => rank(a) - rank(b) || (rank(a) < 2 ? timeOnStep(b, now) - timeOnStep(a, now) : 0) || a.number - b.number);
}

export interface FunnelStep {
  step: ClassStep;
  /** Learners who reached the step (on it now, or passed it). */
  reached: number;
  passed: number;
}

export function funnel(grid: Pick<ClassGrid, 'learners'>, steps: readonly ClassStep[]): FunnelStep[] {
  const counts = new Map(steps.map((step) => [stepKey(step), { reached: 0, passed: 0 }]));
  for (const learner of grid.learners) {
    for (const cell of learner.cells) {
      const count = counts.get(stepKey(cell));
      if (!count || cell.state === 'not-started') continue;
      count.reached++;
      if (cell.state === 'done') count.passed++;
    }
  }
  return steps.map((step) => ({ step, ...counts.get(stepKey(step))! }));
}

export interface FrequentReason {
  code: string;
  /** The values most learners saw with this code (the message is worded with them). */
  values: Record<string, string>;
  /** Learners whose last failed check of the step gave this reason. */
  learners: number;
}

/**
 * Per step, the reasons of the learners' last failed checks, most frequent first (at most `limit`
 * per step); steps where no check failed are left out.
 */
export function frequentReasons(grid: Pick<ClassGrid, 'learners'>, steps: readonly ClassStep[], limit = 3): { step: ClassStep; reasons: FrequentReason[] }[] {
  const byStep = new Map<string, Map<string, { learners: number; values: Map<string, { values: Record<string, string>; count: number }> }>>();
  for (const learner of grid.learners) {
    for (const cell of learner.cells) {
      if (!cell.lastReason) continue;
      const codes = byStep.get(stepKey(cell)) ?? byStep.set(stepKey(cell), new Map()).get(stepKey(cell))!;
      const entry = codes.get(cell.lastReason.code) ?? codes.set(cell.lastReason.code, { learners: 0, values: new Map() }).get(cell.lastReason.code)!;
      entry.learners++;
      const valuesKey = JSON.stringify(Object.entries(cell.lastReason.values).sort());
      const seen = entry.values.get(valuesKey) ?? entry.values.set(valuesKey, { values: cell.lastReason.values, count: 0 }).get(valuesKey)!;
      seen.count++;
    }
  }
  return steps.flatMap((step) => {
    const codes = byStep.get(stepKey(step));
    if (!codes) return [];
    const reasons = [...codes.entries()]
      .map(([code, entry]) => ({ code, learners: entry.learners, values: [...entry.values.values()].reduce((a, b) => (b.count > a.count ? b : a)).values }))
      .sort((a, b) => b.learners - a.learners || a.code.localeCompare(b.code))
      .slice(0, limit);
    return [{ step, reasons }];
  });
}
