// Help mode: the instructor watches a learner's terminal, read-only, only while the learner asks for
// help; the room bridges the instructor's socket to the agent's watch socket (a stand-in here).
import { describe, expect, it } from 'vitest';
import { instructorSubprotocol, watchCloseCodes } from '../../protocol/index.ts';
import type { FakeWatcher } from '../test-support/fake-agents';
import { Browser, fakeAgentState, newAgentID, startFakeAgent, startLab } from '../test-support/clients';
import { LiveChannel, createClass, expectError, join, memberIDOf, upgrade } from '../test-support/classes';

async function classInSession() {
  const agent = await newAgentID();
  await startFakeAgent(agent, 8);
  const created = await createClass();
  const learner = new Browser();
  await join(learner, created.joinCode);
  await startLab(learner);
  const member = await memberIDOf(learner, created.id);
  const watchPath = (host = 'host1', who = member) => `/api/classes/${created.id}/learners/${who}/hosts/${host}/watch`;
  return { agent, created, learner, member, watchPath };
}

const watchers = async (agent: string) => ((await fakeAgentState(agent)) as unknown as { watchers: FakeWatcher[] }).watchers;

/** The instructor's end of a watch: what arrives, and how it closed. */
function watching(socket: WebSocket) {
  const frames: string[] = [];
  let closed: number | null = null;
  socket.binaryType = 'arraybuffer';
  socket.accept();
  socket.addEventListener('message', (event) => frames.push(typeof event.data === 'string' ? event.data : `binary ${new TextDecoder().decode(event.data as ArrayBuffer)}`));
  socket.addEventListener('close', (event) => {
    closed = event.code;
  });
  const until = async (done: () => boolean) => {
    for (let waited = 0; !done(); waited += 20) {
      if (waited > 3_000) throw new Error(`gave up waiting; frames ${JSON.stringify(frames)}, closed ${closed}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { frames, closed: () => closed, until };
}

describe("the instructor and a learner's terminal", () => {
  it('cannot watch it without the learner asking for help: 403 help_not_requested, and the agent is never asked', async () => {
    const { agent, created, watchPath } = await classInSession();
    await expectError(await upgrade(watchPath(), [instructorSubprotocol, created.instructorSecret]), 403, 'help_not_requested');
    expect((await fakeAgentState(agent)).calls.filter((call) => call.includes('/terminal'))).toEqual([]);
  });

  it("cannot watch it without the class's secret, nor a learner of another class", async () => {
    const { created, learner, watchPath } = await classInSession();
    await learner.fetch('/api/me/help', { method: 'POST', body: { requested: true } });
    const other = await createClass();
    await expectError(await upgrade(watchPath(), [instructorSubprotocol]), 401, 'unauthorized');
    await expectError(await upgrade(watchPath(), [instructorSubprotocol, other.instructorSecret]), 401, 'unauthorized');
    await expectError(await upgrade(watchPath().replace(created.id, other.id), [instructorSubprotocol, other.instructorSecret]), 404, 'not_found');
  });

  it('watches it read-only while the learner asks for help, and stops when they stop asking', async () => {
    const { agent, created, learner, member, watchPath } = await classInSession();
    const live = await LiveChannel.open(created.id, created.instructorSecret);
    await learner.fetch('/api/me/help', { method: 'POST', body: { requested: true } });
    await live.next('help', (m) => m.learner === member && m.requested);
    await expectError(await upgrade(watchPath('host3'), [instructorSubprotocol, created.instructorSecret]), 404, 'host_not_found');

    const response = await upgrade(watchPath(), [instructorSubprotocol, created.instructorSecret]);
    expect(response.status).toBe(101);
    expect(response.headers.get('sec-websocket-protocol')).toBe(instructorSubprotocol);
    const view = watching(response.webSocket!);
    await view.until(() => view.frames.length >= 2);
    expect(view.frames).toEqual([JSON.stringify({ type: 'ready', host: 'host1', replayed: 0 }), 'binary learner@host1:~$ docker ps\r\n']);

    // Keystrokes and control messages stay with the room; only acknowledgements reach the agent.
    const socket = response.webSocket!;
    socket.send(new TextEncoder().encode('rm -rf ~\r'));
    socket.send(JSON.stringify({ type: 'resize', cols: 80, rows: 24 }));
    socket.send(JSON.stringify({ type: 'ack', bytes: 33 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await watchers(agent)).map((w) => w.received)).toEqual([[JSON.stringify({ type: 'ack', bytes: 33 })]]);

    await learner.fetch('/api/me/help', { method: 'POST', body: { requested: false } });
    await view.until(() => view.closed() !== null);
    expect(view.closed()).toBe(watchCloseCodes.helpEnded);
    await expectError(await upgrade(watchPath(), [instructorSubprotocol, created.instructorSecret]), 403, 'help_not_requested');
  });

  it('stops watching when the learner leaves the class', async () => {
    const { created, learner, watchPath } = await classInSession();
    await learner.fetch('/api/me/help', { method: 'POST', body: { requested: true } });
    const view = watching((await upgrade(watchPath(), [instructorSubprotocol, created.instructorSecret])).webSocket!);
    await view.until(() => view.frames.length >= 1);
    await learner.fetch('/api/me/class', { method: 'DELETE' });
    await view.until(() => view.closed() !== null);
    expect(view.closed()).toBe(watchCloseCodes.helpEnded);
  });
});
