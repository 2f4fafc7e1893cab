// Every lab's checks, re-graded offline from its recorded sessions (src/labs/<lab>/recordings/, made
// by `npm run record:labs` in real sandboxes): after solution step k, steps 1…k pass; a fresh
// session passes no step; a wrong attempt leaves its step failing with its named reason. A lab
// without recordings, or whose steps or commands changed since they were made, fails here naming
// the lab and how to record it again.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { StepResult } from './checks/evaluate.ts';
import { gradeMoment, parseRecording, scenarioFile, type Recording, type Scenario } from './checks/recording.ts';
import { labs } from './index.ts';
import type { LabDefinition } from './lab-definition.ts';
import { labScenarios, recordAgain, recordingsFolder, staleness } from './lab-scenarios.ts';

/** A result as one line: `passed`, `failed: not-pulled`, `unknown: could-not-check (…)`. */
const verdict = (result: StepResult | undefined) =>
  !result ? 'no result' : result.status === 'passed' ? 'passed' : `${result.status}: ${result.reason.code}${result.status === 'unknown' ? ` (${result.detail})` : ''}`;

function readRecording(lab: LabDefinition, scenario: Scenario): Recording {
  const file = `${recordingsFolder(lab.id)}/${scenarioFile(scenario)}`;
  const recording = parseRecording(readFileSync(fileURLToPath(new URL(`${lab.id}/recordings/${scenarioFile(scenario)}`, import.meta.url)), 'utf8'), file);
  const stale = staleness(lab, scenario, recording);
  if (stale) expect.fail(`lab ${lab.id}: ${stale}; ${recordAgain(lab.id)}`);
  return recording;
}

for (const lab of labs.values()) {
  describe(`lab ${lab.id}, re-graded from its recordings`, () => {
    const folder = fileURLToPath(new URL(`${lab.id}/recordings/`, import.meta.url));
    const files = existsSync(folder) ? readdirSync(folder).filter((file) => file.endsWith('.json')) : [];
    const scenarios = labScenarios(lab);

    it('has a recording of every scenario, and none of a scenario it no longer has', () => {
      const wanted = scenarios.map(scenarioFile);
      const missing = wanted.filter((file) => !files.includes(file));
      const extra = files.filter((file) => !wanted.includes(file));
      expect(missing, `lab ${lab.id} has no recording of ${missing.join(', ')} in ${recordingsFolder(lab.id)}; ${recordAgain(lab.id)}`).toEqual([]);
      expect(extra, `lab ${lab.id} has recordings of scenarios it no longer has (${extra.join(', ')}); ${recordAgain(lab.id)}`).toEqual([]);
    });

    for (const scenario of scenarios.filter((candidate) => files.includes(scenarioFile(candidate)))) {
      switch (scenario.kind) {
        case 'fresh':
          it('a fresh session passes no step, and says why for each', async () => {
            const recording = readRecording(lab, scenario);
            const results = await gradeMoment(lab.steps, recording, recording.moments[0]);
            for (const step of lab.steps) expect(verdict(results.get(step.id)), `lab ${lab.id}, fresh session, step ${step.id}`).toMatch(/^failed: /);
          });
          break;
        case 'solution':
          it('after each step of the solution, that step and the ones before it pass', async () => {
            const recording = readRecording(lab, scenario);
            for (const [k, moment] of recording.moments.entries()) {
              const results = await gradeMoment(lab.steps, recording, moment);
              const done = lab.steps.slice(0, k + 1);
              expect(Object.fromEntries(done.map((step) => [step.id, verdict(results.get(step.id))])), `lab ${lab.id}, after the solution of step ${lab.steps[k].id}`).toEqual(
                Object.fromEntries(done.map((step) => [step.id, 'passed'])),
              );
            }
          });
          break;
        case 'wrong-attempt': {
          const attempt = lab.wrongAttempts.find((candidate) => candidate.id === scenario.attempt)!;
          it(`wrong attempt "${attempt.id}" leaves step ${attempt.step} failing with "${attempt.reason}"`, async () => {
            const recording = readRecording(lab, scenario);
            const results = await gradeMoment(lab.steps, recording, recording.moments[0]);
            expect(verdict(results.get(attempt.step)), `lab ${lab.id}, wrong attempt ${attempt.id}`).toBe(`failed: ${attempt.reason}`);
          });
          break;
        }
      }
    }
  });
}
