// Help mode through the real agent server, on a real sandbox: a watcher (`?mode=watch`, what the
// control plane opens for a class's instructor) sees the learner's terminal and nothing it sends
// reaches the learner's shell; the learner's terminals say while someone watches.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sessionSchema, type Session } from '../../protocol/index.ts';
import { controlPlaneToken } from '../test-support/control-plane-token.ts';
import { useTestAgent } from '../test-support/test-agent.ts';
import { openTerminal, type TestTerminal } from '../test-support/terminal-client.ts';
import { sandboxSessions } from '../test-support/test-machine.ts';
import { LiveSessions } from './live-sessions.ts';

const live = new LiveSessions({ sessions: sandboxSessions, capacity: 4, log: () => undefined });
const agent = useTestAgent(live);

/** A read-only view of the host's terminal, authorized like the learner's (the route's token). */
async function watcher(session: Session, host: string): Promise<TestTerminal> {
  const url = agent.terminalURL(session, host);
  const opened = await openTerminal(`${url}?mode=watch`, { authorization: `Bearer ${await controlPlaneToken('GET', url)}` });
  await opened.waitForMessage((message) => message.type === 'ready');
  return opened;
}

const watchedStates = (terminal: TestTerminal) => terminal.messages.flatMap((message) => (message.type === 'watched' ? [message.watching] : []));

async function lastInputAt(session: Session): Promise<string> {
  return sessionSchema.parse(await (await agent.call('GET', `/sessions/${session.id}`)).json()).lastInputAt;
}

describe('help mode: a read-only watcher of a learner terminal', () => {
  it("sees what the learner's shell shows, and its keystrokes, `rm -rf ~` included, never reach the shell nor the idle clock", async () => {
    const session = await agent.newSession(1);
    const learner = await agent.terminal(session, 'host1');
    learner.type('touch ~/keep-me; echo before-help-$((2+2))\r');
    await learner.waitFor('before-help-4');
    const watching = await watcher(session, 'host1');
    await watching.waitFor('before-help-4'); // the replay
    learner.type('echo during-help-$((3+3))\r');
    await watching.waitFor('during-help-6');

    const inputBefore = await lastInputAt(session);
    await new Promise((resolve) => setTimeout(resolve, 20));
    watching.type('rm -rf ~\r');
    watching.type('echo typed-by-watcher-$((6*7))\r');
    watching.control({ type: 'resize', cols: 33, rows: 11 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await lastInputAt(session)).toBe(inputBefore);
    learner.type('stty size; ls ~; echo checked-$((5+5))\r');
    await learner.waitFor('checked-10');
    expect(learner.text).toContain('keep-me');
    expect(learner.text).not.toContain('typed-by-watcher-42');
    expect(learner.text).not.toContain('11 33');
    expect(watching.text).not.toContain('typed-by-watcher-42');
    watching.close();
  });

  it("tells each of the learner's terminals while anyone watches one of them, and when the last one leaves", async () => {
    const session = await agent.newSession(2);
    const host1 = await agent.terminal(session, 'host1');
    const host2 = await agent.terminal(session, 'host2');
    const first = await watcher(session, 'host2');
    await host1.waitForMessage((message) => message.type === 'watched' && message.watching);
    await host2.waitForMessage((message) => message.type === 'watched' && message.watching);
    const second = await watcher(session, 'host1');
    first.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // One still watches: nothing changed for the learner.
    expect(watchedStates(host1)).toEqual([true]);
    second.close();
    await host1.waitForMessage((message) => message.type === 'watched' && !message.watching);
    await host2.waitForMessage((message) => message.type === 'watched' && !message.watching);
    expect(watchedStates(host2)).toEqual([true, false]);
  });

  it("ends the watch at the watcher's close frame, though its peer leaves TCP open (as a proxy may)", async () => {
    const session = await agent.newSession(1);
    const learner = await agent.terminal(session, 'host1');
    const url = new URL(agent.terminalURL(session, 'host1'));
    const token = await controlPlaneToken('GET', url.href);
    // A WebSocket spoken by hand over a socket that never sends its FIN (allowHalfOpen).
    const socket = connect({ host: url.hostname, port: Number(url.port), allowHalfOpen: true });
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.write(
      [`GET ${url.pathname}?mode=watch HTTP/1.1`, `Host: ${url.host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', `Authorization: Bearer ${token}`, '', ''].join('\r\n'),
    );
    await learner.waitForMessage((message) => message.type === 'watched' && message.watching);
    expect(answer).toMatch(/^HTTP\/1\.1 101/);
    const mask = randomBytes(4);
    const code = Buffer.from([0x03, 0xe8]).map((byte, index) => byte ^ mask[index]); // 1000, masked as a client must
    socket.write(Buffer.concat([Buffer.from([0x88, 0x82]), mask, code]));
    // Long before the 30 s the agent's socket waits for the peer's FIN before it says it closed.
    await learner.waitForMessage((message) => message.type === 'watched' && !message.watching, 10_000);
    socket.destroy();
  });

  it('refuses another mode, and a watcher without the control plane token', async () => {
    const session = await agent.newSession(1);
    const url = agent.terminalURL(session, 'host1');
    const token = await controlPlaneToken('GET', url);
    await expect(openTerminal(`${url}?mode=write`, { authorization: `Bearer ${token}` })).rejects.toMatchObject({ status: 400 });
    await expect(openTerminal(`${url}?mode=watch`, {})).rejects.toMatchObject({ status: 401 });
  });
});
