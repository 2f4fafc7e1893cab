// Runs every machine check in order (packages first: later checks look at what they install),
// repairing what is safe to repair when allowed, and words the outcome for a table or a log.
import { preflightChecks, type PreflightCheck, type PreflightContext } from './checks.ts';

export interface CheckOutcome {
  name: string;
  state: 'ok' | 'fixed' | 'problem';
  /** What was found (ok, fixed) or what is wrong (problem). */
  detail: string;
  /** For a problem: what a person should do. */
  fix?: string;
}

export interface PreflightOptions {
  /** Repair what can be repaired safely (only as root). */
  fix: boolean;
  checks?: readonly PreflightCheck[];
  /** Told before a repair starts, e.g. to say that packages are being installed. */
  onRepair?: (check: string, problem: string) => void;
}

export async function runPreflight(context: PreflightContext, options: PreflightOptions): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  const canRepair = options.fix && context.probe.uid() === 0;
  for (const check of options.checks ?? preflightChecks) {
    const found = check.detect(context);
    if (found.ok) {
      outcomes.push({ name: check.name, state: 'ok', detail: found.detail });
      continue;
    }
    if (!canRepair || !check.repair) {
      outcomes.push({ name: check.name, state: 'problem', detail: found.problem, fix: found.fix });
      continue;
    }
    options.onRepair?.(check.name, found.problem);
    let failure = '';
    try {
      await check.repair(context, found);
    } catch (error) {
      failure = (error as Error).message;
    }
    const after = check.detect(context);
    if (after.ok) outcomes.push({ name: check.name, state: 'fixed', detail: `${found.problem}; fixed: ${found.fix}` });
    else outcomes.push({ name: check.name, state: 'problem', detail: after.problem, fix: failure ? `${after.fix} (the automatic fix failed: ${failure})` : after.fix });
  }
  return outcomes;
}

export function problemsOf(outcomes: readonly CheckOutcome[]): CheckOutcome[] {
  return outcomes.filter((outcome) => outcome.state === 'problem');
}

/** One line per problem: what is wrong and the fix. */
export function formatProblems(outcomes: readonly CheckOutcome[]): string {
  return problemsOf(outcomes)
    .map((outcome) => `Machine check "${outcome.name}": ${outcome.detail}. Fix: ${outcome.fix}.`)
    .join('\n');
}

/** The doctor's table: check | state | detail. */
export function formatTable(outcomes: readonly CheckOutcome[]): string {
  const nameWidth = Math.max(5, ...outcomes.map((outcome) => outcome.name.length));
  const mark = { ok: 'ok', fixed: 'fixed', problem: 'PROBLEM' } as const;
  const lines = [`${'check'.padEnd(nameWidth)}  state    detail`, `${'-'.repeat(nameWidth)}  -------  ------`];
  for (const outcome of outcomes) {
    lines.push(`${outcome.name.padEnd(nameWidth)}  ${mark[outcome.state].padEnd(7)}  ${outcome.detail}`);
    if (outcome.fix) lines.push(`${''.padEnd(nameWidth)}           fix: ${outcome.fix}`);
  }
  return lines.join('\n');
}
