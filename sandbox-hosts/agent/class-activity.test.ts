// A lab session's activity reaching the control plane, in a real sandbox: a command typed in the
// learner's terminal fails the step they are on, and the report carries the step with its reason and
// the command with its exit status; the right command then passes it. A real HTTP server stands in
// for the control plane (it checks each report's signature and shape).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labs } from '../../src/labs/index.ts';
import { startControlPlaneStandIn, type ControlPlaneStandIn } from '../test-support/control-plane-stand-in.ts';
import { sandboxSessions } from '../test-support/test-machine.ts';
import { typeCommand } from '../test-support/typed-commands.ts';
import { ActivityReporter } from './activity-reporter.ts';
import { LiveSessions } from './live-sessions.ts';

let controlPlane: ControlPlaneStandIn;
let live: LiveSessions;
beforeAll(async () => {
  controlPlane = await startControlPlaneStandIn();
  const activity = new ActivityReporter({ controlPlaneURL: controlPlane.url, agentID: controlPlane.agentID, agentKey: controlPlane.agentKey, log: () => undefined });
  live = new LiveSessions({ sessions: sandboxSessions, capacity: 2, labs, activity, log: () => undefined });
});
afterAll(async () => {
  await live.close();
  await controlPlane.close();
});

describe("a lab session's activity, for the learner's class", () => {
  it('a typed command that fails the step reaches the control plane with its reason, and the step passing follows', async () => {
    const key = 'class-activity-1';
    const outcome = await live.create(1, 'daemon', key);
    if (!outcome.ok) throw new Error(outcome.message);
    const { session } = outcome.value;
    // The first step is `docker info`; `docker version` asks the daemon something else.
    expect(await typeCommand(session, 'host1', 'docker version')).toBe(0);
    const failed = await controlPlane.waitFor((report) => report.session === key && report.steps.some((step) => step.step === 'info' && step.attempts > 0));
    expect(failed.lab).toBe('daemon');
    const info = failed.steps.find((step) => step.step === 'info')!;
    expect(info).toMatchObject({ state: 'working', lastReason: { code: 'no-api-call' }, passedAt: null, since: expect.any(String) });
    // The command's API calls and its end may be checked once or twice: each check counts.
    expect(info.attempts).toBeGreaterThanOrEqual(1);
    const commands = controlPlane.reports.filter((report) => report.session === key).flatMap((report) => report.commands);
    expect(commands).toContainEqual({ host: 'host1', command: 'docker version', exitCode: 0, at: expect.any(String) });

    expect(await typeCommand(session, 'host1', 'docker info')).toBe(0);
    const passed = await controlPlane.waitFor((report) => report.session === key && report.steps.some((step) => step.step === 'info' && step.state === 'done'));
    expect(passed.steps.find((step) => step.step === 'info')).toMatchObject({ state: 'done', passedAt: expect.any(String) });
    expect(passed.steps.find((step) => step.step === 'eventos')).toMatchObject({ state: 'working', attempts: 0 });
    await live.delete(session.id);
  });
});
