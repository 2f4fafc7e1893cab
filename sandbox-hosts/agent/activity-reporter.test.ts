// What the agent reports of a lab session for the learner's class: real checks (on a state snapshot
// and a clock the test moves) and a real HTTP server standing in for the control plane, which checks
// each report's signature and shape. The subject is the reporter: what it sends, how often, and what
// it keeps when the control plane fails.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { snapshotState } from '../../src/labs/checks/snapshot.ts';
import { defineLab } from '../../src/labs/lab-definition.ts';
import { LabChecks } from '../checks/lab-checks.ts';
import { startControlPlaneStandIn, type ControlPlaneStandIn } from '../test-support/control-plane-stand-in.ts';
import { ActivityReporter, maxCommandLength, maxQueuedCommands, type SessionActivity } from './activity-reporter.ts';

const lab = defineLab('activity-reporter.test.ts', {
  id: 'atividade',
  lesson: 'arquitetura/fluxo',
  title: { 'pt-BR': 'Atividade', en: 'Activity' },
  hosts: 1,
  steps: [
    {
      id: 'versao',
      title: { 'pt-BR': '`docker version`', en: '`docker version`' },
      check: [{ kind: 'api-call', host: 'host1', method: 'GET', path: '/version' }],
      hints: [{ after: { failures: 2 }, text: { 'pt-BR': 'dica', en: 'hint' } }],
      solution: [{ host: 'host1', run: 'docker version' }],
    },
    {
      id: 'lista',
      title: { 'pt-BR': '`docker ps`', en: '`docker ps`' },
      check: [{ kind: 'api-call', host: 'host1', method: 'GET', path: '/containers/json' }],
      solution: [{ host: 'host1', run: 'docker ps' }],
    },
    {
      id: 'imagens',
      title: { 'pt-BR': '`docker images`', en: '`docker images`' },
      check: [{ kind: 'api-call', host: 'host1', method: 'GET', path: '/images/json' }],
      solution: [{ host: 'host1', run: 'docker images' }],
    },
  ],
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const start = Date.parse('2026-12-01T10:00:00.000Z');

let controlPlane: ControlPlaneStandIn;
beforeAll(async () => (controlPlane = await startControlPlaneStandIn()));
afterAll(() => controlPlane.close());
const following: { checks: LabChecks; activity: SessionActivity }[] = [];
afterEach(() => {
  for (const { checks, activity } of following.splice(0)) {
    activity.end();
    checks.close();
  }
  controlPlane.received.splice(0);
});

/** A session's checks and the reporter following it; each call is something the learner did. */
function session(key: string, options: { retryMs?: number } = {}) {
  let now = start;
  const logged: Record<string, unknown>[] = [];
  const checks = new LabChecks(lab, snapshotState({}), { settleMs: 5, maxDelayMs: 10, now: () => now });
  const reporter = new ActivityReporter({
    controlPlaneURL: controlPlane.url,
    agentID: controlPlane.agentID,
    agentKey: controlPlane.agentKey,
    log: (event) => logged.push(event),
    now: () => now,
    retryMs: options.retryMs ?? 20,
  });
  const activity = reporter.follow(key, checks);
  following.push({ checks, activity });
  const call = async (path: string) => {
    checks.addAPICall({ host: 'host1', method: 'GET', path: `/v1.41${path}` });
    await wait(60);
  };
  return { checks, activity, call, logged, advance: (seconds: number) => (now += seconds * 1000) };
}

const ofSession = (key: string) => controlPlane.reports.filter((report) => report.session === key);
const statusesOf = (key: string) => controlPlane.received.filter((entry) => entry.report?.session === key).map((entry) => entry.status);

async function until(condition: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await wait(20);
  }
}

describe('activity reports', () => {
  it("reports the step the learner reached, each failure with its reason, then the pass and the next step", async () => {
    const { checks, call, advance } = session('session-steps');
    await checks.checkNow(); // what a new session does: the first step is reached, nothing counted
    const reached = await controlPlane.waitFor((report) => report.session === 'session-steps');
    expect(reached).toEqual({
      session: 'session-steps',
      lab: 'atividade',
      steps: [{ step: 'versao', state: 'working', attempts: 0, hintsUsed: 0, since: '2026-12-01T10:00:00.000Z', passedAt: null, lastReason: { code: 'no-api-call', values: expect.any(Object) } }],
      commands: [],
    });
    await wait(600);
    await call('/info');
    await call('/info');
    const failed = await controlPlane.waitFor((report) => report.session === 'session-steps' && report.steps.some((step) => step.attempts === 2));
    // Two failures open the step's hint.
    expect(failed.steps).toEqual([expect.objectContaining({ step: 'versao', state: 'working', attempts: 2, hintsUsed: 1 })]);
    await wait(600);
    advance(30);
    await call('/version');
    const passed = await controlPlane.waitFor((report) => report.session === 'session-steps' && report.steps.some((step) => step.state === 'done'));
    expect(passed.steps).toEqual([
      { step: 'versao', state: 'done', attempts: 2, hintsUsed: 1, since: '2026-12-01T10:00:00.000Z', passedAt: '2026-12-01T10:00:30.000Z', lastReason: null },
      expect.objectContaining({ step: 'lista', state: 'working', attempts: 0, since: '2026-12-01T10:00:30.000Z', passedAt: null }),
    ]);
    // Only steps that changed go: the third step was never reached, and nothing went twice unchanged.
    const sent = ofSession('session-steps').flatMap((report) => report.steps.map((step) => JSON.stringify(step)));
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent.some((step) => step.includes('imagens'))).toBe(false);
  });

  it('sends at most one report per session every 500 ms, with the latest states', async () => {
    const { activity, call } = session('session-burst');
    const began = Date.now();
    for (let i = 0; i < 10; i++) {
      activity.command('host1', `echo ${i}`, 0);
      await call('/info');
    }
    const busyMs = Date.now() - began;
    await controlPlane.waitFor((report) => report.session === 'session-burst' && report.commands.some((command) => command.command === 'echo 9'));
    const times = controlPlane.received.filter((entry) => entry.report?.session === 'session-burst').map((entry) => entry.at);
    // Twenty changes in about 600 ms: one report at once, then one per 500 ms at most, never one per change.
    expect(times.length).toBeGreaterThanOrEqual(2);
    expect(times.length).toBeLessThanOrEqual(Math.floor(busyMs / 500) + 2);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(450);
    const reports = ofSession('session-burst');
    expect(reports.flatMap((report) => report.commands.map((command) => command.command))).toEqual(Array.from({ length: 10 }, (_, i) => `echo ${i}`));
    // The last report has the latest count of failures.
    expect(reports.at(-1)!.steps).toEqual([expect.objectContaining({ step: 'versao', attempts: 10 })]);
  });

  it('keeps at most 50 commands, the newest, and logs how many it dropped', async () => {
    const { activity, logged } = session('session-flood');
    for (let i = 0; i < 120; i++) activity.command('host1', `true ${i}`, 0);
    const report = await controlPlane.waitFor((each) => each.session === 'session-flood');
    expect(report.commands.map((command) => command.command)).toEqual(Array.from({ length: maxQueuedCommands }, (_, i) => `true ${i + 70}`));
    expect(logged).toContainEqual(expect.objectContaining({ event: 'activity.commands_dropped', session: 'session-flood', dropped: 70 }));
  });

  it("cuts what the learner controls to what the control plane takes: long commands, odd exit codes, other hosts", async () => {
    const { activity } = session('session-hostile');
    activity.command('host1', `echo ${'x'.repeat(5000)}`, 0);
    activity.command('host2', `echo ${'é'.repeat(1018)}😀😀`, 300);
    activity.command('host9', 'not a host', 0);
    const report = await controlPlane.waitFor((each) => each.session === 'session-hostile');
    expect(report.commands.map((command) => [command.host, command.command.length, command.exitCode])).toEqual([
      ['host1', maxCommandLength, 0],
      ['host2', maxCommandLength - 1, 255], // half a 😀 is left out
    ]);
  });

  it('tries a report again while the control plane fails, and keeps its commands for the next one when it never takes it', async () => {
    const { activity, logged } = session('session-retry');
    controlPlane.answer('session-retry', 503, 503);
    activity.command('host1', 'docker ps', 0);
    await controlPlane.waitFor((report) => report.session === 'session-retry');
    expect(statusesOf('session-retry')).toEqual([503, 503, 200]);
    expect(ofSession('session-retry')[0].commands.map((command) => command.command)).toEqual(['docker ps']);

    controlPlane.answer('session-retry', ...Array<number>(5).fill(503));
    activity.command('host1', 'docker images', 0);
    await until(() => logged.some((event) => event.event === 'activity.report_failed'));
    expect(logged).toContainEqual(expect.objectContaining({ event: 'activity.report_failed', session: 'session-retry', outcome: 'failed', commands: 1 }));
    activity.command('host1', 'docker info', 1);
    const next = await controlPlane.waitFor((report) => report.commands.some((command) => command.command === 'docker info'));
    expect(next.commands.map((command) => command.command)).toEqual(['docker images', 'docker info']);
  });

  it('does not retry a report the control plane refuses (4xx)', async () => {
    const { activity, logged } = session('session-refused');
    controlPlane.answer('session-refused', 404);
    activity.command('host1', 'docker ps', 0);
    await until(() => logged.some((event) => event.event === 'activity.report_failed'));
    await wait(200);
    expect(statusesOf('session-refused')).toEqual([404]);
    expect(logged).toContainEqual(expect.objectContaining({ event: 'activity.report_failed', outcome: 'refused' }));
  });

  it('still sends what waited when the session ends, and takes nothing after', async () => {
    const { activity } = session('session-ending');
    activity.command('host1', 'first', 0);
    await controlPlane.waitFor((report) => report.session === 'session-ending');
    activity.command('host1', 'last', 0); // waits for the interval
    activity.end();
    activity.command('host1', 'after the end', 0);
    await controlPlane.waitFor((report) => report.session === 'session-ending' && report.commands.some((command) => command.command === 'last'));
    await wait(700);
    expect(ofSession('session-ending').flatMap((report) => report.commands.map((command) => command.command))).toEqual(['first', 'last']);
  });
});
