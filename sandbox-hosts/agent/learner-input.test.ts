// What a learner controls reaching the root agent, against real sandboxes through a real agent
// server: the socket path of their own daemon, and their terminal WebSocket.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dockerEventPageSchema, terminalProtocolErrorCode, type Session } from '../../protocol/index.ts';
import { controlPlaneToken } from '../test-support/control-plane-token.ts';
import { useTestAgent } from '../test-support/test-agent.ts';
import { sandboxSessions } from '../test-support/test-machine.ts';
import { LiveSessions } from './live-sessions.ts';

const logged: Record<string, unknown>[] = [];
const live = new LiveSessions({ sessions: sandboxSessions, capacity: 4, log: (event) => logged.push(event) });
const agent = useTestAgent(live);
const { call, newSession, terminal } = agent;
const terminalURL = (session: Session) => agent.terminalURL(session);

async function eventIDs(session: Session): Promise<string[]> {
  const page = dockerEventPageSchema.parse(await (await call('GET', `/sessions/${session.id}/events`)).json());
  return page.events.map((event) => event.id);
}

describe("learner A cannot make the agent follow learner B's daemon", () => {
  it("refuses a symlink A planted at A's docker.sock, pointing at B's, and brings A's own daemon back", async () => {
    const [a, b] = [await newSession(), await newSession()];
    const uidB = live.find(b.id)!.record.hosts[0].uid;
    const shellA = await terminal(a);
    const shellB = await terminal(b);
    // A swaps their socket for a link to B's, then kills their own daemon so the agent reconnects.
    shellA.type(`mv $XDG_RUNTIME_DIR/docker.sock $XDG_RUNTIME_DIR/moved.sock && ln -s /run/user/${uidB}/docker.sock $XDG_RUNTIME_DIR/docker.sock && pkill -KILL -x dockerd; echo planted-$((3+4))\r`);
    await shellA.waitFor('planted-7');
    await shellA.waitForMessage((m) => m.type === 'daemon' && m.state === 'running', 60_000);
    expect(logged).toContainEqual(expect.objectContaining({ event: 'engine_events.socket_refused', session: a.id, reason: 'symlink' }));
    // Whatever B does now stays in B's log only; A's daemon is A's again.
    shellB.type('docker volume create only-in-b; echo made-$((5+5))\r');
    await shellB.waitFor('made-10');
    shellA.type('docker volume create only-in-a; echo made-$((6+6))\r');
    await shellA.waitFor('made-12');
    const deadline = Date.now() + 30_000;
    while (!(await eventIDs(a)).includes('only-in-a') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await eventIDs(a)).toContain('only-in-a');
    expect(await eventIDs(a)).not.toContain('only-in-b');
    expect(await eventIDs(b)).toContain('only-in-b');
  });
});

describe("a learner's terminal WebSocket", () => {
  it('closes a socket that sends a 50 MiB frame (1009), and nothing else: the shell and other learners go on', async () => {
    const [a, b] = [await newSession(), await newSession()];
    const shellB = await terminal(b);
    const raw = new WebSocket(terminalURL(a), { headers: { authorization: `Bearer ${await controlPlaneToken('GET', terminalURL(a))}` } });
    raw.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => raw.on('close', (code) => resolve(code)));
    await new Promise((resolve) => raw.once('open', resolve));
    raw.send(Buffer.alloc(50 * 1024 * 1024, 'a'));
    expect(await closed).toBe(1009);
    shellB.type('docker run --rm busybox echo neighbour-$((6*7))\r');
    await shellB.waitFor('neighbour-42');
    const shellA = await terminal(a);
    shellA.type('echo same-host-$((2*21))\r');
    await shellA.waitFor('same-host-42');
  });

  it('rejects an acknowledgement far above the bytes sent, and closes that socket with a protocol error', async () => {
    const session = await newSession();
    const shell = await terminal(session);
    shell.control({ type: 'ack', bytes: 1_000_000_000 });
    await shell.waitForMessage((m) => m.type === 'error' && m.code === 'protocol_violation');
    expect((await shell.closed).code).toBe(terminalProtocolErrorCode);
    // The shell itself is untouched.
    const again = await terminal(session);
    again.type('echo still-here-$((1+1))\r');
    await again.waitFor('still-here-2');
  });
});
