// The browser end of a host's terminal: an xterm.js addon that connects the terminal to the
// control plane's WebSocket (binary frames: pty bytes; text frames: JSON control), acknowledges what
// it has drawn, and reconnects with capped, jittered backoff — but not after a close that means
// "stop" (the shell exited is followed by a fresh shell; a takeover or an ended session is final).
import type { IDisposable, ITerminalAddon, Terminal } from '@xterm/xterm';
import { terminalCloseCodes, terminalFlowControl, terminalFrameLimits, terminalServerMessageSchema, type TerminalServerMessage } from '../../protocol/terminal.ts';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface TerminalConnectionEvents {
  onState?: (state: ConnectionState) => void;
  onControl?: (message: TerminalServerMessage) => void;
  /** The connection won't come back by itself: another tab took it, or the session ended. */
  onFinal?: (reason: 'replaced' | 'ended') => void;
}

const backoff = { firstMs: 500, maxMs: 10_000 };

export class TerminalConnection implements ITerminalAddon {
  readonly url: string;
  state: ConnectionState = 'disconnected';
  #events: TerminalConnectionEvents;
  #terminal: Terminal | undefined;
  #socket: WebSocket | undefined;
  #disposables: IDisposable[] = [];
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #drawn = 0;
  #stopped = false;
  #encoder = new TextEncoder();

  constructor(url: string, events: TerminalConnectionEvents = {}) {
    this.url = url;
    this.#events = events;
  }

  activate(terminal: Terminal): void {
    this.#terminal = terminal;
    this.#disposables.push(
      terminal.onData((data) => this.send(data)),
      terminal.onBinary((data) => this.#sendBytes(Uint8Array.from(data, (c) => c.charCodeAt(0)))),
      terminal.onResize(({ cols, rows }) => this.#sendControl({ type: 'resize', cols, rows })),
    );
    this.#connect();
  }

  /** Closes the socket; a disposed connection reports nothing more (its page has moved on). */
  dispose(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#disposables.forEach((d) => d.dispose());
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000);
    this.state = 'disconnected';
  }

  /** Types text into the shell, as if the learner had. */
  send(text: string): void {
    this.#sendBytes(this.#encoder.encode(text));
  }

  #connect(): void {
    this.#setState('connecting');
    const socket = new WebSocket(this.url);
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') return this.#control(event.data);
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      this.#terminal?.write(bytes, () => this.#acknowledge(socket, bytes.length));
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#setState('disconnected');
      if (this.#stopped) return;
      if (event.code === terminalCloseCodes.replaced) return this.#events.onFinal?.('replaced');
      if (event.code === terminalCloseCodes.sessionEnded) return this.#events.onFinal?.('ended');
      // 1000 = the shell exited: the next connection starts a new one, at once.
      const delay = event.code === 1000 ? 0 : Math.min(backoff.maxMs, backoff.firstMs * 2 ** this.#attempt++) * (0.5 + Math.random() / 2);
      this.#retry = setTimeout(() => this.#connect(), delay);
    };
  }

  #control(text: string): void {
    const parsed = terminalServerMessageSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'ready') {
      this.#attempt = 0;
      this.#drawn = 0;
      // The replay that follows redraws the screen: start from a clean one.
      if (message.replayed > 0) this.#terminal?.reset();
      this.#setState('connected');
      const terminal = this.#terminal;
      if (terminal) this.#sendControl({ type: 'resize', cols: terminal.cols, rows: terminal.rows });
    }
    this.#events.onControl?.(message);
  }

  /**
   * Counts bytes drawn and acknowledges them to the socket that sent them. Bytes of an earlier
   * socket, drawn after a reconnect, are not acknowledged: the agent would take them as a claim to
   * more than it sent on the new socket, a protocol violation.
   */
  #acknowledge(from: WebSocket, bytes: number): void {
    if (from !== this.#socket) return;
    this.#drawn += bytes;
    if (this.#drawn < terminalFlowControl.ackEvery) return;
    this.#sendControl({ type: 'ack', bytes: this.#drawn });
    this.#drawn = 0;
  }

  /** Keyboard input; a paste goes in frames the agent accepts (it closes a socket on a larger one). */
  #sendBytes(bytes: Uint8Array<ArrayBuffer>): void {
    const socket = this.#socket;
    if (socket?.readyState !== WebSocket.OPEN) return;
    for (let at = 0; at < bytes.length; at += terminalFrameLimits.inputFrameBytes) socket.send(bytes.subarray(at, at + terminalFrameLimits.inputFrameBytes));
  }

  #sendControl(message: { type: 'resize'; cols: number; rows: number } | { type: 'ack'; bytes: number }): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #setState(state: ConnectionState): void {
    this.state = state;
    this.#events.onState?.(state);
  }
}
