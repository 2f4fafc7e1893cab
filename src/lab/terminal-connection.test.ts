// The browser's terminal connection against a WebSocket server: what it sends for a paste.
import type { Terminal } from '@xterm/xterm';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { terminalFrameLimits } from '../../protocol/terminal.ts';
import { TerminalConnection } from './terminal-connection.ts';

/** Just enough of xterm.js for the addon to activate; the terminal is not what is tested. */
const fakeTerminal = () => {
  const none = () => ({ dispose: () => undefined });
  return { cols: 80, rows: 24, onData: none, onBinary: none, onResize: none, write: () => undefined, reset: () => undefined } as unknown as Terminal;
};

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
});
