// The scenarios recorded of a lab, and when a recording no longer fits it: its steps renamed, its
// solution or a wrong attempt's script changed. A changed check is not staleness: it re-grades.
import { describe, expect, it } from 'vitest';
import type { Recording, Scenario } from './checks/recording.ts';
import { defineLab, type LabDefinition } from './lab-definition.ts';
import { labScenarios, scenarioMoments, staleness } from './lab-scenarios.ts';
import registries from './registries/lab.ts';

/** A recording that fits the lab as it is now (no record, no state: staleness reads neither). */
const recordingOf = (scenario: Scenario): Recording => ({
  format: 1,
  lab: registries.id,
  steps: registries.steps.map((step) => step.id),
  scenario,
  record: { facts: [], apiCalls: [], commands: [], daemonRestarts: [] },
  moments: scenarioMoments(registries, scenario).map((ran) => ({ ran, seen: { facts: 0, apiCalls: 0, commands: 0, daemonRestarts: 0 }, state: [] })),
});

/** The registries lab with its definition changed by `change`. */
const changed = (change: (input: LabDefinition) => void) => {
  const input = structuredClone(registries);
  change(input);
  return defineLab('test', input);
};

describe('lab scenarios', () => {
  it('are a fresh session, the solution and each wrong attempt', () => {
    expect(labScenarios(registries)).toEqual([
      { kind: 'fresh' },
      { kind: 'solution' },
      { kind: 'wrong-attempt', attempt: 'registry-na-porta-errada' },
      { kind: 'wrong-attempt', attempt: 'push-com-registry-parado' },
    ]);
  });

  it('type the steps before a wrong attempt, then its script, before its one moment', () => {
    const [ran] = scenarioMoments(registries, { kind: 'wrong-attempt', attempt: 'push-com-registry-parado' });
    expect(ran.map((command) => command.run)).toEqual([
      'docker pull busybox',
      'docker run -d -p 5000:5000 --name registry registry',
      'docker rm -f registry',
      'docker tag busybox localhost:5000/minhaimagem:1.0',
      'docker push localhost:5000/minhaimagem:1.0',
    ]);
    expect(scenarioMoments(registries, { kind: 'solution' })).toHaveLength(registries.steps.length);
  });
});

describe('a recording', () => {
  it('fits the lab it was made of', () => {
    for (const scenario of labScenarios(registries)) expect(staleness(registries, scenario, recordingOf(scenario)), scenario.kind).toBeUndefined();
  });

  it("is stale once the lab's steps are renamed, added or removed, and says which", () => {
    const renamed = changed((lab) => void (lab.steps[0].id = 'pull-busybox'));
    expect(staleness(renamed, { kind: 'fresh' }, recordingOf({ kind: 'fresh' }))).toMatch(/the lab's steps changed since src\/labs\/registries\/recordings\/fresh\.json was recorded \(then: pull-do-hub, .*; now: pull-busybox, /);
    const shorter = changed((lab) => void lab.steps.pop());
    expect(staleness(shorter, { kind: 'solution' }, recordingOf({ kind: 'solution' }))).toMatch(/the lab's steps changed/);
  });

  it("is stale once a step's solution or an attempt's script types something else", () => {
    const solution = changed((lab) => void (lab.steps[1].solution[0].run = 'docker run -d -p 5000:5000 registry'));
    expect(staleness(solution, { kind: 'solution' }, recordingOf({ kind: 'solution' }))).toMatch(/^the solution of step registry-proprio changed since .*solution\.json was recorded/);
    // The attempt types the steps before it: their solution is part of it too.
    expect(staleness(solution, { kind: 'wrong-attempt', attempt: 'push-com-registry-parado' }, recordingOf({ kind: 'wrong-attempt', attempt: 'push-com-registry-parado' }))).toMatch(/what the wrong-attempt types changed/);
  });

  it('is not stale when only a check changed: that is what re-grading is for', () => {
    const fixed = changed((lab) => void (lab.steps[3].check = [{ kind: 'image-present', host: 'host1', image: 'localhost:5000/minhaimagem:1.0' }]));
    for (const scenario of labScenarios(fixed)) expect(staleness(fixed, scenario, recordingOf(scenario))).toBeUndefined();
  });

  it('of another scenario or lab does not stand in for this one', () => {
    expect(staleness(registries, { kind: 'fresh' }, recordingOf({ kind: 'solution' }))).toMatch(/records another scenario/);
    expect(staleness(registries, { kind: 'fresh' }, { ...recordingOf({ kind: 'fresh' }), lab: 'arquitetura' })).toMatch(/is a recording of lab arquitetura/);
  });
});
