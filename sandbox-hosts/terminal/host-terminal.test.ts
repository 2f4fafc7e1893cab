// The terminal protocol against a real shell on a real pty (the sandbox around it is tested elsewhere).
import { spawn } from 'node-pty';
import { afterEach, describe, expect, it } from 'vitest';
import {
  terminalCloseCodes,
  terminalFlowControl,
  terminalProtocolErrorCode,
} from '../../protocol/terminal.ts';
import { RecordingSocket, until } from '../test-support/recording-socket.ts';
import { HostTerminal, type TerminalSocket } from './host-terminal.ts';

const terminals: HostTerminal[] = [];
function newTerminal(onInput?: () => void) {
  const terminal = new HostTerminal({
    host: 'host1',
    spawnShell: ({ cols, rows }) =>
      spawn('bash', ['--norc', '--noprofile', '-i'], { name: 'xterm-256color', cols, rows, encoding: null, env: { PATH: process.env.PATH!, PS1: '$ ', TERM: 'xterm-256color' } }),
    onInput,
  });
  terminals.push(terminal);
  return terminal;
}
afterEach(() => terminals.splice(0).forEach((terminal) => terminal.close('test over')));

const type = (terminal: HostTerminal, socket: TerminalSocket, text: string) => terminal.receive(socket, Buffer.from(text), true);

describe('host terminal', () => {
  it('says ready, runs what the learner types and counts it as input', async () => {
    let inputs = 0;
    const terminal = newTerminal(() => inputs++);
    const socket = new RecordingSocket();
    terminal.attach(socket);
    expect(socket.messages[0]).toEqual({ type: 'ready', host: 'host1', replayed: 0 });
    type(terminal, socket, 'echo marker-$((40+2))\r');
    await until(() => socket.text.includes('marker-42'), 'the echo');
    expect(inputs).toBe(1);
  });

  it('can start its shell before anyone connects, and the first connection gets the prompt', async () => {
    const terminal = newTerminal();
    terminal.prepare();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const socket = new RecordingSocket();
    terminal.attach(socket);
    const ready = socket.messages[0];
    expect(ready.type === 'ready' && ready.replayed).toBeGreaterThan(0);
    expect(socket.text).toContain('$ ');
  });

  it('replays recent output to a reconnecting socket and closes the one it replaces', async () => {
    const terminal = newTerminal();
    const first = new RecordingSocket();
    terminal.attach(first);
    type(terminal, first, 'echo before-reload-$((1+1))\r');
    await until(() => first.text.includes('before-reload-2'), 'the echo');
    const second = new RecordingSocket();
    terminal.attach(second);
    expect(first.closed?.code).toBe(terminalCloseCodes.replaced);
    const ready = second.messages[0];
    expect(ready.type === 'ready' && ready.replayed).toBeGreaterThan(0);
    expect(second.text).toContain('before-reload-2');
    // Input from the replaced socket is ignored; the new one drives the same shell.
    type(terminal, first, 'echo from-old-socket\r');
    type(terminal, second, 'echo same-shell-$$\r');
    await until(() => /same-shell-\d+/.test(second.text), 'the echo');
    expect(second.text).not.toContain('from-old-socket');
  });

  it('replays at most 64 KiB', async () => {
    const terminal = newTerminal();
    const first = new RecordingSocket();
    terminal.attach(first);
    type(terminal, first, 'head -c 300000 /dev/zero | tr "\\0" x; echo; echo done-$((2*3))\r');
    let acknowledged = 0;
    const acknowledge = setInterval(() => {
      if (first.bytes.length > acknowledged) terminal.receive(first, JSON.stringify({ type: 'ack', bytes: first.bytes.length - acknowledged }), false);
      acknowledged = first.bytes.length;
    }, 5);
    await until(() => first.text.includes('done-6'), 'the output').finally(() => clearInterval(acknowledge));
    const second = new RecordingSocket();
    terminal.attach(second);
    expect(second.bytes.length).toBeLessThanOrEqual(64 * 1024);
    expect(second.bytes.length).toBeGreaterThan(60 * 1024);
    expect(second.text).toContain('done-6');
  });

  it('holds a flooding shell back until the client acknowledges what it drew', async () => {
    const terminal = newTerminal();
    const socket = new RecordingSocket();
    terminal.attach(socket);
    type(terminal, socket, 'yes flood\r');
    await until(() => terminal.paused, 'the pause');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const held = socket.bytes.length;
    // Unacknowledged output stays bounded: one pty read past the high watermark at most.
    expect(held).toBeLessThan(terminalFlowControl.highWatermark + 128 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(socket.bytes.length).toBe(held);
    terminal.receive(socket, JSON.stringify({ type: 'ack', bytes: held }), false);
    expect(terminal.paused).toBe(false);
    await until(() => socket.bytes.length > held, 'more output after the acknowledgement');
    type(terminal, socket, '\x03');
  });

  it('rejects an acknowledgement of more bytes than were sent, closes that socket and keeps the shell', async () => {
    const logged: Record<string, unknown>[] = [];
    const terminal = new HostTerminal({
      host: 'host1',
      spawnShell: ({ cols, rows }) => spawn('bash', ['--norc', '--noprofile', '-i'], { name: 'xterm-256color', cols, rows, encoding: null, env: { PATH: process.env.PATH!, PS1: '$ ' } }),
      log: (event) => logged.push(event),
    });
    terminals.push(terminal);
    const liar = new RecordingSocket();
    terminal.attach(liar);
    type(terminal, liar, 'echo sent-$((5*5))\r');
    await until(() => liar.text.includes('sent-25'), 'the echo');
    terminal.receive(liar, JSON.stringify({ type: 'ack', bytes: liar.bytes.length + 1_000_000 }), false);
    expect(liar.messages.at(-1)).toMatchObject({ type: 'error', code: 'protocol_violation' });
    expect(liar.closed?.code).toBe(terminalProtocolErrorCode);
    expect(terminal.attached).toBe(false);
    expect(logged).toContainEqual(expect.objectContaining({ event: 'terminal.protocol_violation' }));
    // The shell is untouched: the next connection finds it, with its output in the replay.
    const next = new RecordingSocket();
    terminal.attach(next);
    type(terminal, next, 'echo still-$((6*7))\r');
    await until(() => next.text.includes('still-42'), 'the same shell');
    expect(next.text).toContain('sent-25');
  });

  it("holds a flooding shell back while the socket's own buffer is full, though the client acknowledges everything", async () => {
    // A client that stops reading TCP but keeps acknowledging: its bytes pile up in the agent's buffer.
    class StuckSocket extends RecordingSocket {
      waiting: { size: number; sent?: () => void }[] = [];
      override get bufferedAmount() {
        return this.waiting.reduce((sum, chunk) => sum + chunk.size, 0);
      }
      override sendBytes(data: Uint8Array, sent?: () => void) {
        this.bytes = Buffer.concat([this.bytes, data]);
        this.waiting.push({ size: data.length, sent });
      }
      drain() {
        for (const chunk of this.waiting.splice(0)) chunk.sent?.();
      }
    }
    const terminal = newTerminal();
    const socket = new StuckSocket();
    terminal.attach(socket);
    let acknowledged = 0;
    const acknowledge = setInterval(() => {
      if (socket.bytes.length > acknowledged) terminal.receive(socket, JSON.stringify({ type: 'ack', bytes: socket.bytes.length - acknowledged }), false);
      acknowledged = socket.bytes.length;
    }, 5);
    try {
      type(terminal, socket, 'yes flood\r');
      await until(() => terminal.paused, 'the pause');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(terminal.paused).toBe(true);
      expect(socket.bufferedAmount).toBeLessThan(terminalFlowControl.highWatermark + 128 * 1024);
      const held = socket.bytes.length;
      socket.drain();
      expect(terminal.paused).toBe(false);
      await until(() => socket.bytes.length > held, 'more output once the buffer drained');
    } finally {
      clearInterval(acknowledge);
      type(terminal, socket, '\x03');
    }
  });

  it("stops taking input the shell doesn't read, and takes it again once the shell reads", async () => {
    const terminal = newTerminal();
    const socket = new RecordingSocket();
    terminal.attach(socket);
    type(terminal, socket, 'stty raw -echo; echo not-reading-$((1+1)); sleep 1; exec cat >/dev/null\r');
    await until(() => socket.text.includes('not-reading-2'), 'the sleep');
    const frame = Buffer.alloc(16 * 1024, 'a');
    for (let i = 0; i < 64 && !socket.inputPaused; i++) type(terminal, socket, frame.toString());
    expect(socket.inputPaused).toBe(true);
    await until(() => !socket.inputPaused, 'the shell reading its input');
  });

  it('answers a malformed control frame with an error and keeps the shell', async () => {
    const terminal = newTerminal();
    const socket = new RecordingSocket();
    terminal.attach(socket);
    terminal.receive(socket, '{"type":"resize","cols":"wide"}', false);
    terminal.receive(socket, 'not json', false);
    expect(socket.messages.filter((m) => m.type === 'error').map((m) => m.type === 'error' && m.code)).toEqual(['invalid_message', 'invalid_message']);
    terminal.receive(socket, JSON.stringify({ type: 'resize', cols: 132, rows: 40 }), false);
    type(terminal, socket, 'stty size\r');
    await until(() => socket.text.includes('40 132'), 'the new size');
  });

  it('reports the exit of the shell, closes normally, and starts a new shell on the next connection', async () => {
    const terminal = newTerminal();
    const socket = new RecordingSocket();
    terminal.attach(socket);
    type(terminal, socket, 'exit 7\r');
    await until(() => socket.closed !== undefined, 'the close');
    expect(socket.messages.at(-1)).toEqual({ type: 'exit', exitCode: 7, signal: null });
    expect(socket.closed?.code).toBe(1000);
    const next = new RecordingSocket();
    terminal.attach(next);
    type(terminal, next, 'echo new-shell-$((3+4))\r');
    await until(() => next.text.includes('new-shell-7'), 'the new shell');
  });

  it('shows notices in the terminal and keeps them for the replay', () => {
    const terminal = newTerminal();
    const socket = new RecordingSocket();
    terminal.attach(socket);
    terminal.notice('Docker daemon restarting');
    expect(socket.text).toContain('Docker daemon restarting');
    const again = new RecordingSocket();
    terminal.attach(again);
    expect(again.text).toContain('Docker daemon restarting');
  });

  it('refuses connections once the session has ended', () => {
    const terminal = newTerminal();
    const socket = new RecordingSocket();
    terminal.attach(socket);
    terminal.close('Time is up.');
    expect(socket.messages.at(-1)).toEqual({ type: 'error', code: 'session_ended', message: 'Time is up.' });
    expect(socket.closed?.code).toBe(terminalCloseCodes.sessionEnded);
    const late = new RecordingSocket();
    terminal.attach(late);
    expect(late.closed?.code).toBe(terminalCloseCodes.sessionEnded);
  });
});
