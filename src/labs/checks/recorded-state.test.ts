// Capturing the present for a recording and serving it back: each question once, answers and
// failures kept as the engine saw them, and a question the recording never heard is no guess.
import { describe, expect, it } from 'vitest';
import registries from '../registries/lab.ts';
import { conditionSchema } from './conditions.ts';
import { evaluateCondition, evaluateStep, type LabRecord } from './evaluate.ts';
import type { StateReader } from './state-conditions.ts';
import { captureState, capturingState, questionOf, recordedState, stateReadSchema, type StateRead } from './recorded-state.ts';
import { snapshotState } from './snapshot.ts';

const empty: LabRecord = { facts: [], apiCalls: [], commands: [], daemonRestarts: [] };
const registry = { name: 'registry', image: 'registry', running: true, status: 'Up 4 seconds', ports: [{ hostPort: 5000, containerPort: 5000 }] };
const live = snapshotState({ host1: { images: ['busybox:latest', 'registry:latest'], containers: [registry], openPorts: [5000], registries: { '5000': { minhaimagem: ['1.0'] } } } });

describe('capturing the present', () => {
  it('asks the real reader each question once and logs every answer, in the order first asked', async () => {
    let asked = 0;
    const { reader, reads } = capturingState({ ...live, containers: async (host) => (asked++, live.containers(host)) });
    expect(await reader.containers('host1')).toEqual([registry]);
    expect(await reader.containers('host1')).toEqual([registry]);
    expect(await reader.portOpen('host1', 5000)).toBe(true);
    expect(await reader.registryTags('host1', 5000, 'minhaimagem')).toEqual(['1.0']);
    expect(asked).toBe(1);
    expect(reads).toEqual([
      { read: 'containers', host: 'host1', answer: [registry] },
      { read: 'port-open', host: 'host1', port: 5000, answer: true },
      { read: 'registry-tags', host: 'host1', port: 5000, repository: 'minhaimagem', answer: ['1.0'] },
    ]);
  });

  it('keeps a failed read as its error, and one that outlives the deadline as unanswered', async () => {
    const failing: StateReader = { ...live, registryTags: () => Promise.reject(new Error('connect ECONNREFUSED 10.214.2.2:5000')), images: () => new Promise(() => undefined) };
    const { reader, reads } = capturingState(failing, 50);
    const tagged = conditionSchema.parse({ kind: 'registry-has', host: 'host1', port: 5000, repository: 'minhaimagem', tag: '1.0' });
    const present = conditionSchema.parse({ kind: 'image-present', host: 'host1', image: 'busybox' });
    expect(await evaluateCondition(tagged, empty, reader, 50)).toMatchObject({ status: 'unknown', detail: 'connect ECONNREFUSED 10.214.2.2:5000' });
    expect(await evaluateCondition(present, empty, reader, 50)).toMatchObject({ status: 'unknown', detail: 'no answer within 50 ms' });
    expect(reads).toEqual([
      { read: 'registry-tags', host: 'host1', port: 5000, repository: 'minhaimagem', error: 'connect ECONNREFUSED 10.214.2.2:5000' },
      { read: 'images', host: 'host1', error: 'no answer within 50 ms' },
    ]);
  });

  it("asks every question of the lab's present, diagnoses included, and nothing else", async () => {
    const reads = await captureState(registries.steps, empty, live);
    // registry-proprio: container-running; tag-e-push: registry-has, and its diagnosis image-present. The "did it" conditions read no state.
    expect(reads.map(questionOf).sort()).toEqual(['containers of host1', 'images of host1', 'tags of minhaimagem in the registry at host1:5000']);
  });
});

describe('serving a recorded present', () => {
  const reads: StateRead[] = [
    { read: 'images', host: 'host1', answer: ['localhost:5000/minhaimagem:1.0'] },
    { read: 'containers', host: 'host1', answer: [] },
    { read: 'registry-tags', host: 'host1', port: 5000, repository: 'minhaimagem', error: 'connect ECONNREFUSED 10.214.2.2:5000' },
  ];

  it('gives the recorded answers, and fails the reads that failed with their error', async () => {
    const state = recordedState(reads);
    expect(await state.images('host1')).toEqual(['localhost:5000/minhaimagem:1.0']);
    expect(await state.containers('host1')).toEqual([]);
    await expect(state.registryTags('host1', 5000, 'minhaimagem')).rejects.toThrow('connect ECONNREFUSED 10.214.2.2:5000');
  });

  it('a question it holds no answer to makes the step "could not check", naming the question and the fix', async () => {
    const state = recordedState(reads);
    await expect(state.images('host2')).rejects.toThrow('the recording holds no answer to "images of host2"');
    const moved = { check: [conditionSchema.parse({ kind: 'port-open', host: 'host1', port: 5001 })] };
    expect(await evaluateStep(moved, empty, state)).toMatchObject({
      status: 'unknown',
      reason: { code: 'could-not-check' },
      detail: expect.stringContaining('"port 5001 of host1 open": the check asks something new; record the lab again (npm run record:labs)'),
    });
  });

  it('a recorded read holds its answer or its error, not both, not neither', () => {
    expect(stateReadSchema.safeParse({ read: 'images', host: 'host1', answer: [] }).success).toBe(true);
    expect(stateReadSchema.safeParse({ read: 'images', host: 'host1' }).success).toBe(false);
    expect(stateReadSchema.safeParse({ read: 'images', host: 'host1', answer: [], error: 'x' }).success).toBe(false);
    expect(stateReadSchema.safeParse({ read: 'images', host: 'host4', answer: [] }).success).toBe(false);
  });
});
