// The browser's terminal connection against a WebSocket server: what it sends for a paste.
import type { Terminal } from '@xterm/xterm';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { terminalFrameLimits } from '../../protocol/terminal.ts';
import { TerminalConnection } from './terminal-connection.ts';

/** Just enough of xterm.js for the addon to activate; the terminal is not what is tested. */
const fakeTerminal = (drawn: (() => void)[] = []) => {
  const none = () => ({ dispose: () => undefined });
  // Drawing finishes when the test says so: `drawn` holds the write callbacks.
  const write = (_data: Uint8Array, callback?: () => void) => callback && drawn.push(callback);
  return { cols: 80, rows: 24, onData: none, onBinary: none, onResize: none, write, reset: () => undefined } as unknown as Terminal;
};

async function until(condition: () => boolean, what: string) {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let server: WebSocketServer | undefined;
afterEach(() => server?.close());

describe('terminal connection', () => {
  it('sends a large paste in frames the agent accepts, in order', async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server!.once('listening', resolve));
    const frames: Buffer[] = [];
    const connected = new Promise<ServerSocket>((resolve) => server!.once('connection', resolve));
    const { port } = server.address() as { port: number };
    let isConnected: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (isConnected = resolve));
    const connection = new TerminalConnection(`ws://127.0.0.1:${port}`, { onState: (state) => state === 'connected' && isConnected() });
    connection.activate(fakeTerminal());
    const socket = await connected;
    socket.on('message', (data: Buffer, isBinary) => isBinary && frames.push(data));
    socket.send(JSON.stringify({ type: 'ready', host: 'host1', replayed: 0 }));
    await ready;
    const paste = Array.from({ length: 5_000 }, (_, i) => `line ${i} ☕\n`).join('');
    connection.send(paste);
    const expected = Buffer.byteLength(paste);
    const deadline = Date.now() + 5_000;
    while (frames.reduce((sum, frame) => sum + frame.length, 0) < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    connection.dispose();
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(frame.length).toBeLessThanOrEqual(terminalFrameLimits.inputFrameBytes);
    expect(Buffer.concat(frames).toString('utf8')).toBe(paste);
  });

  it('acknowledges bytes only to the socket that sent them, even when they are drawn after a reconnect', async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server!.once('listening', resolve));
    const sockets: ServerSocket[] = [];
    const acks = new Map<ServerSocket, number[]>();
    server.on('connection', (socket) => {
      sockets.push(socket);
      acks.set(socket, []);
      socket.on('message', (data: Buffer, isBinary) => {
        const message = isBinary ? undefined : JSON.parse(data.toString());
        if (message?.type === 'ack') acks.get(socket)!.push(message.bytes);
      });
      socket.send(JSON.stringify({ type: 'ready', host: 'host1', replayed: 0 }));
    });
    const { port } = server.address() as { port: number };
    const drawn: (() => void)[] = [];
    const connection = new TerminalConnection(`ws://127.0.0.1:${port}`);
    connection.activate(fakeTerminal(drawn));
    await until(() => sockets.length === 1, 'the first connection');
    const [first] = sockets;
    first.send(Buffer.alloc(30_000, 'x'));
    await until(() => drawn.length === 1, 'the output to be written');
    // The shell exits (1000): the client reconnects at once, before the terminal has drawn the output.
    first.close(1000);
    await until(() => sockets.length === 2 && connection.state === 'connected', 'the reconnect');
    drawn.splice(0).forEach((callback) => callback());
    const [, second] = sockets;
    second.send(Buffer.alloc(20_000, 'y'));
    await until(() => drawn.length === 1, 'the new output to be written');
    drawn.splice(0).forEach((callback) => callback());
    await until(() => acks.get(second)!.length === 1, 'the acknowledgement');
    connection.dispose();
    expect(acks.get(second)).toEqual([20_000]);
  });
});
