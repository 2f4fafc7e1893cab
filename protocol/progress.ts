// A lab session's progress as the agent's checks see it, step by step: pushed to the page over the
// terminal connection the moment it changes (and, next, recorded by the control plane).
import { z } from 'zod';

export const stepStatuses = ['pending', 'passed', 'failed', 'unknown'] as const;

/** Why a step is not done: a reason code (built in, or the lab's own) and the values its message names. */
export const reasonSchema = z.object({
  code: z.string().max(64),
  values: z.record(z.string().max(64), z.string().max(512)),
});

export const stepProgressSchema = z.object({
  step: z.string().max(64),
  /** `pending`: not evaluated yet; `unknown`: the last evaluation could not read what it needed. */
  status: z.enum(stepStatuses),
  /** When it first passed (ms since the epoch). */
  passedAt: z.number().optional(),
  /** For a passed step whose check reads the present: whether that still holds. */
  stillTrue: z.boolean().optional(),
  reason: reasonSchema.optional(),
  /** Its check holds, and is being checked again to see that it stays so before the step passes. */
  confirming: z.boolean().optional(),
  /** Evaluations, after the learner did something on this step, that found it not done. */
  failures: z.number().int().nonnegative(),
  /** For a passed step: how many of its hints were open when it passed (src/labs/hints.ts). */
  hintsUsed: z.number().int().nonnegative().optional(),
});
export type StepProgress = z.infer<typeof stepProgressSchema>;

export const labProgressSchema = z.array(stepProgressSchema).max(100);
