// How many hints a learner had open when a step passed, as the agent counts and reports it: the
// same rule the page shows hints by (src/labs/hints.ts), from the step's failures and the time since
// it became the one the learner is on. The clock is the test's; the subject is LabChecks' count.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { progressReportSchema } from '../../protocol/control-plane.ts';
import { newKeyPair } from '../../protocol/keys.ts';
import { snapshotState } from '../../src/labs/checks/snapshot.ts';
import { defineLab } from '../../src/labs/lab-definition.ts';
import { ProgressReporter } from '../agent/progress-reporter.ts';
import { LabChecks } from './lab-checks.ts';

const text = (name: string) => ({ 'pt-BR': `dica ${name}`, en: `hint ${name}` });
const lab = defineLab('hints-used.test.ts', {
  id: 'dicas',
  lesson: 'arquitetura/fluxo',
  title: { 'pt-BR': 'Dicas', en: 'Hints' },
  hosts: 1,
  steps: [
    {
      id: 'versao',
      title: { 'pt-BR': '`docker version`', en: '`docker version`' },
      check: [{ kind: 'api-call', host: 'host1', method: 'GET', path: '/version' }],
      hints: [{ after: { failures: 1 }, text: text('a') }, { after: { seconds: 60 }, text: text('b') }, { after: { failures: 3 }, text: text('c') }],
      solution: [{ host: 'host1', run: 'docker version' }],
    },
    {
      id: 'lista',
      title: { 'pt-BR': '`docker ps`', en: '`docker ps`' },
      check: [{ kind: 'api-call', host: 'host1', method: 'GET', path: '/containers/json' }],
      hints: [{ after: { seconds: 30 }, text: text('d') }],
      solution: [{ host: 'host1', run: 'docker ps' }],
    },
    {
      id: 'imagens',
      title: { 'pt-BR': '`docker images`', en: '`docker images`' },
      check: [{ kind: 'api-call', host: 'host1', method: 'GET', path: '/images/json' }],
      hints: [{ after: { seconds: 30 }, text: text('e') }],
      solution: [{ host: 'host1', run: 'docker images' }],
    },
  ],
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A session's checks on a clock the test moves; each call is something the learner did. */
function session() {
  let now = 1_000_000;
  const checks = new LabChecks(lab, snapshotState({}), { settleMs: 5, maxDelayMs: 10, now: () => now });
  const step = (id: string) => checks.progress().find((progress) => progress.step === id)!;
  const call = async (path: string) => {
    checks.addAPICall({ host: 'host1', method: 'GET', path: `/v1.41${path}` });
    await wait(60);
  };
  return { checks, step, call, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('hints used, counted by the agent', () => {
  it('counts the hints open when the step passed: by failures and by time on the step', async () => {
    const { checks, step, call, advance } = session();
    await call('/info'); // the learner did something that is not the step: one failure
    expect(step('versao')).toMatchObject({ status: 'failed', failures: 1 });
    advance(61);
    await call('/version');
    // "a" (1 failure) and "b" (60 s) were open; "c" needs 3 failures.
    expect(step('versao')).toMatchObject({ status: 'passed', failures: 1, hintsUsed: 2 });
    checks.close();
  });

  it("counts time from when the step became the current one, not from the session's start", async () => {
    const { checks, step, call, advance } = session();
    advance(600); // a long while on the first step
    await call('/version');
    expect(step('versao')).toMatchObject({ status: 'passed', failures: 0, hintsUsed: 1 });
    advance(20);
    await call('/containers/json');
    expect(step('lista')).toMatchObject({ status: 'passed', hintsUsed: 0 }); // 20 s of its 30
    advance(31);
    await call('/images/json');
    expect(step('imagens')).toMatchObject({ status: 'passed', hintsUsed: 1 }); // 31 s of its 30
    checks.close();
  });

  it('counts no hint of a step done before it was the current one', async () => {
    const { checks, step, call, advance } = session();
    advance(600);
    await call('/containers/json'); // the second step, while the first is still open
    expect(step('lista')).toMatchObject({ status: 'passed', hintsUsed: 0 });
    expect(step('versao')).toMatchObject({ status: 'failed', failures: 1 });
    checks.close();
  });

  it('reports the count to the control plane with the step', async () => {
    const { checks, call, advance } = session();
    await call('/info');
    advance(61);
    await call('/version');
    const bodies: unknown[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        bodies.push(JSON.parse(body));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"recorded":1}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const reporter = new ProgressReporter({ controlPlaneURL: `http://127.0.0.1:${port}`, agentID: 'a1', agentKey: (await newKeyPair()).privateKey, log: () => undefined });
    const passed = checks.progress().filter((progress) => progress.status === 'passed');
    expect(await reporter.report({ key: 'session-1', lab: lab.id, steps: passed })).toBe(true);
    server.close();
    expect(progressReportSchema.parse(bodies[0]).steps).toEqual([{ step: 'versao', passedAt: expect.any(String), failures: 1, hintsUsed: 2 }]);
    checks.close();
  });
});
