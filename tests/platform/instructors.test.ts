// A class's instructor on real parts: the control plane in workerd (D1, the class's room) and a real
// agent process with real rootless daemons. A learner in the class types a command that fails the
// step they are on: the instructor's grid shows the step with its reason, and the learner's timeline
// the command. The learner asks for help: the instructor watches their terminal, read-only, the
// learner's terminal says so, and the view ends the moment the learner stops asking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classGridSchema, classTimelineSchema, createdClassSchema, instructorSubprotocol, watchCloseCodes, type CreatedClass, type GridCell } from '../../protocol/classes.ts';
import { openTerminal } from '../../sandbox-hosts/test-support/terminal-client.ts';
import { Platform } from './platform-under-test.ts';

const platform = new Platform(8798, [{ id: 'instructors', port: 7083, bridge: 'docainstr0', bridgeAddress: '10.218.3.1', capacity: 2 }]);
const school = '203.0.113.20';

beforeAll(() => platform.start(), 300_000);
afterAll(() => platform.stop(), 120_000);

async function createClass(): Promise<CreatedClass> {
  const response = await fetch(`${platform.base}/api/classes`, {
    method: 'POST',
    headers: { origin: platform.base, 'content-type': 'application/json', 'cf-connecting-ip': school },
    body: JSON.stringify({ name: 'Turma de sábado', labs: ['daemon'] }),
  });
  expect(response.status).toBe(201);
  return createdClassSchema.parse(await response.json());
}

/** What the instructor's page loads: the grid, with the class's secret. */
async function grid(created: CreatedClass) {
  const response = await fetch(`${platform.base}/api/classes/${created.id}`, { headers: { authorization: `Bearer ${created.instructorSecret}` } });
  return classGridSchema.parse(await response.json());
}

describe("a class's instructor, with a real agent", () => {
  it('sees a step fail with its reason and the command on the grid, and watches the terminal while the learner asks for help', async () => {
    const created = await createClass();
    const learner = await platform.learner('Ana', school);
    expect((await learner.call('POST', '/api/classes/join', { code: created.joinCode, displayName: 'Ana' })).status).toBe(200);
    await learner.start('daemon');
    await learner.waitWhileWaiting();
    const terminal = await learner.terminal('host1');

    // The first step is `docker info`; `docker version` asks the daemon something else.
    const typedAt = performance.now();
    terminal.type('docker version\r');
    let cell: GridCell | undefined;
    const deadline = Date.now() + 15_000;
    while (!(cell && cell.attempts > 0)) {
      if (Date.now() > deadline) throw new Error(`the grid never showed the failure: ${JSON.stringify(await grid(created))}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      cell = (await grid(created)).learners.find((each) => each.displayName === 'Ana')?.cells.find((each) => each.lab === 'daemon' && each.step === 'info');
    }
    console.log(`docker version typed → the instructor's grid shows the failure: ${(performance.now() - typedAt).toFixed(0)} ms`);
    expect(cell).toMatchObject({ state: 'working', lastReason: { code: 'no-api-call' }, since: expect.any(String) });
    const member = (await grid(created)).learners.find((each) => each.displayName === 'Ana')!;
    const timeline = classTimelineSchema.parse(
      await (await fetch(`${platform.base}/api/classes/${created.id}/learners/${member.id}/timeline`, { headers: { authorization: `Bearer ${created.instructorSecret}` } })).json(),
    );
    expect(timeline.events).toContainEqual(expect.objectContaining({ kind: 'command', command: 'docker version', exitCode: 0, host: 'host1' }));
    expect(timeline.events).toContainEqual(expect.objectContaining({ kind: 'failed', step: 'info', reason: expect.objectContaining({ code: 'no-api-call' }) }));

    // Help mode: only while the learner asks.
    const watchURL = `${platform.base.replace('http', 'ws')}/api/classes/${created.id}/learners/${member.id}/hosts/host1/watch`;
    await expect(openTerminal(watchURL, {}, [instructorSubprotocol, created.instructorSecret])).rejects.toMatchObject({ status: 403 });
    expect((await learner.call('POST', '/api/me/help', { requested: true })).status).toBe(200);
    const watcher = await openTerminal(watchURL, {}, [instructorSubprotocol, created.instructorSecret]);
    await watcher.waitForMessage((message) => message.type === 'ready', 15_000);
    await watcher.waitFor('docker version', 15_000); // what the learner did before, replayed
    await terminal.waitForMessage((message) => message.type === 'watched' && message.watching, 15_000);
    terminal.type('echo helped-$((6*7))\r');
    await watcher.waitFor('helped-42', 15_000);
    watcher.type('echo from-the-instructor-$((2*2))\r');
    await new Promise((resolve) => setTimeout(resolve, 500));
    terminal.type('echo still-mine-$((1+1))\r');
    await terminal.waitFor('still-mine-2', 15_000);
    expect(terminal.text).not.toContain('from-the-instructor-4');

    expect((await learner.call('POST', '/api/me/help', { requested: false })).status).toBe(200);
    expect((await watcher.closed).code).toBe(watchCloseCodes.helpEnded);
    await terminal.waitForMessage((message) => message.type === 'watched' && !message.watching, 15_000);
    terminal.close();
    await learner.end();
  });
});
