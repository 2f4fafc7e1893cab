// The sessions recorded of every lab, and what each one types: a fresh session; the solution, step
// by step; each wrong attempt (the steps before its step, then its script). The recorder runs them,
// and the offline test reads a recording as stale when the lab no longer types or names the same.
import { scenarioFile, type Recording, type Scenario, type TypedCommand } from './checks/recording.ts';
import type { LabDefinition } from './lab-definition.ts';

/** Where a lab's recordings live, from the repository's root. */
export const recordingsFolder = (lab: string) => `src/labs/${lab}/recordings`;

/** How to bring a lab's recordings up to date. */
export const recordAgain = (lab: string) => `record it (as root, in a sandbox slot of your own): DOCA_TEST_SLOT=<n> npm run record:labs ${lab}`;

export function labScenarios(lab: LabDefinition): Scenario[] {
  return [{ kind: 'fresh' }, { kind: 'solution' }, ...lab.wrongAttempts.map((attempt): Scenario => ({ kind: 'wrong-attempt', attempt: attempt.id }))];
}

/** What is typed before each moment the scenario reads the present (the moments' `ran`). */
export function scenarioMoments(lab: LabDefinition, scenario: Scenario): TypedCommand[][] {
  const typed = (commands: readonly TypedCommand[]) => commands.map(({ host, run }) => ({ host, run }));
  switch (scenario.kind) {
    case 'fresh':
      return [[]];
    case 'solution':
      return lab.steps.map((step) => typed(step.solution));
    case 'wrong-attempt': {
      const attempt = lab.wrongAttempts.find((candidate) => candidate.id === scenario.attempt);
      if (!attempt) throw new Error(`lab ${lab.id} has no wrong attempt "${scenario.attempt}"`);
      const before = lab.steps.slice(0, lab.steps.findIndex((step) => step.id === attempt.step));
      return [[...before.flatMap((step) => typed(step.solution)), ...typed(attempt.script)]];
    }
  }
}

/** Why a recording no longer fits the lab, or undefined when it does. Checks may change: that is what re-grading is for. */
export function staleness(lab: LabDefinition, scenario: Scenario, recording: Recording): string | undefined {
  const file = `${recordingsFolder(lab.id)}/${scenarioFile(scenario)}`;
  if (recording.lab !== lab.id) return `${file} is a recording of lab ${recording.lab}`;
  if (JSON.stringify(recording.scenario) !== JSON.stringify(scenario)) return `${file} records another scenario (${JSON.stringify(recording.scenario)})`;
  const steps = lab.steps.map((step) => step.id);
  if (recording.steps.join(',') !== steps.join(',')) return `the lab's steps changed since ${file} was recorded (then: ${recording.steps.join(', ')}; now: ${steps.join(', ')})`;
  const moments = scenarioMoments(lab, scenario);
  if (recording.moments.length !== moments.length) return `${file} has ${recording.moments.length} moment(s); the lab's ${scenario.kind} has ${moments.length}`;
  for (const [i, ran] of moments.entries()) {
    if (JSON.stringify(recording.moments[i].ran) !== JSON.stringify(ran)) {
      const what = scenario.kind === 'solution' ? `the solution of step ${lab.steps[i].id}` : `what the ${scenario.kind} types`;
      return `${what} changed since ${file} was recorded (then: ${recording.moments[i].ran.map((c) => c.run).join('; ') || 'nothing'}; now: ${ran.map((c) => c.run).join('; ') || 'nothing'})`;
    }
  }
  return undefined;
}
