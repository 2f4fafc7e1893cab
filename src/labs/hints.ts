// When a step's hints open: after so many failed checks of the step, or so long on it, whichever
// comes first. One rule for the page, which shows them, and the agent, which records how many the
// learner had open when the step passed.
import type { LabStep } from './lab-definition.ts';

export interface HintClock {
  /** Checks that found the step not done after the learner acted on it. */
  failures: number;
  /** When the step became the one the learner is on (ms); undefined if it never was. */
  sinceMs: number | undefined;
  nowMs: number;
}

/** The step's hints open at this moment, in the definition's order. */
export function openHints(step: Pick<LabStep, 'hints'>, { failures, sinceMs, nowMs }: HintClock): LabStep['hints'] {
  return step.hints.filter(
    ({ after }) =>
      (after.failures !== undefined && failures >= after.failures) || (after.seconds !== undefined && sinceMs !== undefined && nowMs - sinceMs >= after.seconds * 1000),
  );
}
