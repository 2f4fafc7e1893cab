// The terminal WebSocket of a real agent server against clients that break the rules: a frame far
// over the limit, an acknowledgement of bytes never sent, a client that stops reading. The terminals
// are real shells on real ptys; only the session holder around them is reduced to what the route uses.
import { spawn } from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { terminalFlowControl, terminalFrameLimits, terminalProtocolErrorCode, terminalServerMessageSchema, type TerminalServerMessage } from '../../protocol/terminal.ts';
import { HostTerminal, type TerminalSocket } from '../terminal/host-terminal.ts';
import { controlPlaneToken, testAgentID, testControlPlaneKeys } from '../test-support/control-plane-token.ts';
import { openTerminal } from '../test-support/terminal-client.ts';
import { createAgentApp } from './app.ts';
import type { LiveSessions } from './live-sessions.ts';
import { serveAgent, type AgentServer } from './server.ts';

const logged: Record<string, unknown>[] = [];
const terminals = new Map<string, HostTerminal>();
/** The agent's side of every terminal socket, as the route handed it to the terminal. */
const agentSockets: TerminalSocket[] = [];
/** Pty bytes the agent has sent on each of them. */
const sentBytes = new Map<TerminalSocket, number>();

for (const host of ['host1', 'host2', 'host3', 'host4']) {
  terminals.set(
    host,
    new HostTerminal({
      host,
      spawnShell: ({ cols, rows }) => spawn('bash', ['--norc', '--noprofile', '-i'], { name: 'xterm-256color', cols, rows, encoding: null, env: { PATH: process.env.PATH!, PS1: '$ ' } }),
      log: (event) => logged.push(event),
    }),
  );
}
/** A terminal that counts the bytes the agent sends through each socket. */
function counted(host: string) {
  const terminal = terminals.get(host)!;
  return {
    attach: (socket: TerminalSocket) => {
      agentSockets.push(socket);
      const sendBytes = socket.sendBytes.bind(socket);
      socket.sendBytes = (data, sent) => {
        sentBytes.set(socket, (sentBytes.get(socket) ?? 0) + data.length);
        sendBytes(data, sent);
      };
      terminal.attach(socket);
    },
    receive: (socket: TerminalSocket, data: Buffer | string, isBinary: boolean) => terminal.receive(socket, data, isBinary),
    detach: (socket: TerminalSocket) => terminal.detach(socket),
  };
}
const session = {
  id: 's1',
  findHost: (name: string) => (terminals.has(name) ? { name } : undefined),
  terminals: { get: counted, keys: () => terminals.keys() },
};
const live = { find: () => session, log: (event: Record<string, unknown>) => logged.push(event) } as unknown as LiveSessions;

let server: AgentServer;
beforeAll(async () => {
  server = await serveAgent(createAgentApp({ agentID: testAgentID, controlPlaneKey: testControlPlaneKeys.publicKey, live, labs: new Map() }), '127.0.0.1', 0);
});
afterAll(async () => {
  for (const terminal of terminals.values()) terminal.close('test over');
  await server.close();
});

const terminalURL = (host: string) => `${server.url.replace('http', 'ws')}/sessions/s1/hosts/${host}/terminal`;
const authorization = async (url: string) => ({ authorization: `Bearer ${await controlPlaneToken('GET', url)}` });

/** A raw client, for the tests that misbehave. */
async function rawClient(host: string) {
  const socket = new WebSocket(terminalURL(host), { headers: await authorization(terminalURL(host)) });
  const messages: TerminalServerMessage[] = [];
  let output = '';
  socket.on('message', (data: Buffer, isBinary) => {
    if (isBinary) output += data.toString();
    else messages.push(terminalServerMessageSchema.parse(JSON.parse(data.toString())));
  });
  socket.on('error', () => undefined); // the agent may cut a misbehaving client off mid-send
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, messages, closed, output: () => output };
}

describe('terminal WebSocket limits', () => {
  it('closes a socket that sends a 50 MiB frame (1009), and only that socket', async () => {
    const bystander = await openTerminal(terminalURL('host2'), await authorization(terminalURL('host2')));
    await bystander.waitForMessage((m) => m.type === 'ready');
    const { socket, closed } = await rawClient('host1');
    socket.send(Buffer.alloc(50 * 1024 * 1024, 'a'));
    expect(await closed).toBe(1009);
    expect(logged).toContainEqual(expect.objectContaining({ event: 'terminal.socket_error', host: 'host1' }));
    // The other learner's terminal, and the agent, go on.
    bystander.type('echo bystander-$((6*7))\r');
    await bystander.waitFor('bystander-42', 10_000);
    const health = await fetch(`${server.url}/health`, { headers: await authorization('/health') });
    expect(health.status).toBe(200);
    // So does the shell of the host whose socket was closed: a new connection finds it.
    const again = await openTerminal(terminalURL('host1'), await authorization(terminalURL('host1')));
    again.type('echo back-$((2+3))\r');
    await again.waitFor('back-5', 10_000);
    bystander.close();
    again.close();
  });

  it('takes a paste in frames up to the limit', async () => {
    const terminal = await openTerminal(terminalURL('host2'), await authorization(terminalURL('host2')));
    await terminal.waitForMessage((m) => m.type === 'ready');
    // What a browser sends for a paste: frames of at most inputFrameBytes.
    const paste = `echo ${'p'.repeat(3 * terminalFrameLimits.inputFrameBytes)} | wc -c\r`;
    for (let at = 0; at < paste.length; at += terminalFrameLimits.inputFrameBytes) terminal.type(paste.slice(at, at + terminalFrameLimits.inputFrameBytes));
    await terminal.waitFor(String(3 * terminalFrameLimits.inputFrameBytes + 1), 10_000);
    terminal.close();
  });

  it('rejects an acknowledgement far above the bytes sent, and closes that socket with a protocol error', async () => {
    const { socket, messages, closed } = await rawClient('host3');
    socket.send(JSON.stringify({ type: 'ack', bytes: 1_000_000_000 }));
    expect(await closed).toBe(terminalProtocolErrorCode);
    expect(messages.at(-1)).toMatchObject({ type: 'error', code: 'protocol_violation' });
    expect(terminals.get('host3')!.attached).toBe(false);
  });

  it("keeps the agent's buffer bounded for a client that stops reading but acknowledges all it is sent", async () => {
    const terminal = terminals.get('host3')!;
    const { socket } = await rawClient('host3');
    const agentSide = agentSockets.at(-1)!;
    // The worst client: it reads nothing (its TCP window fills), yet acknowledges every byte the agent
    // sends as soon as it is sent, so acknowledgements alone never hold the shell back.
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    let acknowledged = 0;
    const acknowledge = setInterval(() => {
      const sent = sentBytes.get(agentSide) ?? 0;
      if (sent > acknowledged) socket.send(JSON.stringify({ type: 'ack', bytes: sent - acknowledged }));
      acknowledged = sent;
    }, 1);
    const bound = terminalFlowControl.highWatermark + 128 * 1024;
    let mostBuffered = 0;
    try {
      socket.send(Buffer.from('yes flood\r'));
      const deadline = Date.now() + 30_000;
      // Until the shell is held back on the socket's buffer, or the buffer passes the bound.
      while (!(terminal.paused && agentSide.bufferedAmount > terminalFlowControl.lowWatermark) && mostBuffered < bound && Date.now() < deadline) {
        mostBuffered = Math.max(mostBuffered, agentSide.bufferedAmount);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      expect(mostBuffered).toBeLessThan(bound);
      expect(terminal.paused).toBe(true);
      // It stays held back while the client keeps acknowledging whatever is sent.
      const sentWhenPaused = sentBytes.get(agentSide);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(terminal.paused).toBe(true);
      expect(sentBytes.get(agentSide)).toBe(sentWhenPaused);
      expect(agentSide.bufferedAmount).toBeLessThan(bound);
      expect(terminal.attached).toBe(true);
    } finally {
      clearInterval(acknowledge);
      socket.terminate();
    }
  });

  it("stops reading a client whose input the shell doesn't read, so it piles up in the client, not the agent", async () => {
    const { socket, output } = await rawClient('host4');
    socket.send(Buffer.from('stty raw -echo; echo not-reading-$((1+1)); sleep 60\r'));
    const deadline = Date.now() + 10_000;
    while (!output().includes('not-reading-2') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const frame = Buffer.alloc(terminalFrameLimits.inputFrameBytes, 'a');
    const flood = 32 * 1024 * 1024;
    for (let sent = 0; sent < flood; sent += frame.length) socket.send(frame);
    // Wait until the client's send buffer stops shrinking: whatever the agent would take, it has.
    let before = -1;
    while (socket.bufferedAmount !== before) {
      before = socket.bufferedAmount;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    // The agent took at most its input watermark plus what the kernel's socket buffers hold.
    expect(socket.bufferedAmount).toBeGreaterThan(flood / 2);
    socket.terminate();
  });
});
