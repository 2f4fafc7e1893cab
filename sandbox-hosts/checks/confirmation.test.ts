// A step whose check reads the present passes only once that has held a moment: a container that is
// up when checked and dies a second later (postgres without a password) never turns the step green.
// The engine's reads here come from a snapshot the test changes; the subject is LabChecks' timing.
import { describe, expect, it } from 'vitest';
import type { DockerEvent } from '../../protocol/events.ts';
import arquitetura from '../../src/labs/arquitetura/lab.ts';
import { snapshotState, type StateSnapshot } from '../../src/labs/checks/snapshot.ts';
import { LabChecks } from './lab-checks.ts';

const running = (up: boolean): StateSnapshot => ({
  host1: { containers: [{ name: 'banco', image: 'postgres', running: up, status: up ? 'Up Less than a second' : 'Exited (1) 1 second ago', ports: [{ hostPort: 5433, containerPort: 5432 }] }] },
});
const started: DockerEvent = { seq: 1, host: 'host1', time: Date.now(), type: 'container', action: 'start', id: 'c1', attributes: { name: 'banco', image: 'postgres' } };
const runPostgres = (checks: LabChecks) => checks.progress().find((step) => step.step === 'run-postgres')!;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a step that reads the present', () => {
  it('passes once its container has stayed up for the confirmation time', async () => {
    const checks = new LabChecks(arquitetura, snapshotState(running(true)), { settleMs: 5, confirmMs: 200 });
    checks.addEvent(started);
    await wait(50);
    expect(runPostgres(checks)).toMatchObject({ status: 'pending', confirming: true });
    await wait(300);
    expect(runPostgres(checks)).toMatchObject({ status: 'passed', stillTrue: true });
    expect(runPostgres(checks).confirming).toBeUndefined();
    checks.close();
  });

  it('never passes when the container dies before then, and says why', async () => {
    let snapshot = running(true);
    const state = { ...snapshotState({}), containers: async (host: string) => snapshotState(snapshot).containers(host) };
    const checks = new LabChecks(arquitetura, state, { settleMs: 5, confirmMs: 200 });
    checks.addEvent(started);
    await wait(50);
    expect(runPostgres(checks).confirming).toBe(true);
    snapshot = running(false);
    checks.addEvent({ ...started, seq: 2, action: 'die', attributes: { ...started.attributes, exitCode: '1' } });
    await wait(300);
    expect(runPostgres(checks)).toMatchObject({ status: 'failed', reason: { code: 'postgres-sem-senha' } });
    expect(runPostgres(checks).confirming).toBeUndefined();
    checks.close();
  });
});

describe('one evaluation', () => {
  it("asks each host's daemon each question once, however many steps ask it", async () => {
    const { defineLab } = await import('../../src/labs/lab-definition.ts');
    const twoAsk = defineLab('two-ask.ts', {
      id: 'duas-perguntas',
      lesson: 'arquitetura/fluxo',
      title: { 'pt-BR': 'Duas', en: 'Two' },
      hosts: 1,
      steps: ['nginx', 'redis'].map((image) => ({
        id: `roda-${image}`,
        title: { 'pt-BR': image, en: image },
        check: [{ kind: 'container-running' as const, host: 'host1' as const, image }],
        solution: [{ host: 'host1' as const, run: `docker run -d ${image}` }],
      })),
    });
    let reads = 0;
    const state = { ...snapshotState({}), containers: async () => (reads++, []) };
    const checks = new LabChecks(twoAsk, state);
    const progress = await checks.checkNow();
    expect(progress.map((step) => step.reason?.code)).toEqual(['no-container', 'no-container']);
    expect(reads).toBe(1);
    await checks.checkNow();
    expect(reads).toBe(2); // the next evaluation reads the present again
    checks.close();
  });
});
