// The terminal of one sandbox host: a shell on a pty that outlives the browser's connection. One
// socket is attached at a time; a new one takes over and first receives the replay of recent output.
import type { IPty } from 'node-pty';
import {
  terminalClientMessageSchema,
  terminalCloseCodes,
  terminalFlowControl,
  terminalReplayBytes,
  type TerminalServerMessage,
} from '../../protocol/terminal.ts';
import { ReplayBuffer } from './replay-buffer.ts';

/** What the terminal needs of a WebSocket; the agent adapts `ws` sockets to it. */
export interface TerminalSocket {
  sendBytes(data: Uint8Array): void;
  sendText(text: string): void;
  close(code: number, reason: string): void;
}

export interface ShellSize {
  cols: number;
  rows: number;
}

export interface HostTerminalOptions {
  /** host1…host3, echoed in the `ready` message. */
  host: string;
  /** Starts the learner's shell on a new pty. */
  spawnShell: (size: ShellSize) => IPty;
  /** Called on every keystroke batch the learner sends (the session's idle clock). */
  onInput?: () => void;
  log?: (event: Record<string, unknown>) => void;
}

export class HostTerminal {
  readonly host: string;
  #options: HostTerminalOptions;
  #pty: IPty | undefined;
  #socket: TerminalSocket | undefined;
  #replay = new ReplayBuffer(terminalReplayBytes);
  #size: ShellSize = { cols: 80, rows: 24 };
  #unacknowledged = 0;
  #paused = false;
  #closed = false;

  constructor(options: HostTerminalOptions) {
    this.host = options.host;
    this.#options = options;
  }

  get attached(): boolean {
    return this.#socket !== undefined;
  }

  /** Whether the shell is currently held back because the client hasn't caught up. */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Starts the shell before anyone connects, so the first connection finds its prompt waiting in the
   * replay (a warm session's terminals are ready when the learner arrives).
   */
  prepare(): void {
    if (!this.#closed) this.#ensureShell();
  }

  attach(socket: TerminalSocket): void {
    if (this.#closed) {
      socket.sendText(control({ type: 'error', code: 'session_ended', message: 'This session has ended.' }));
      socket.close(terminalCloseCodes.sessionEnded, 'session ended');
      return;
    }
    const previous = this.#socket;
    this.#socket = socket;
    previous?.close(terminalCloseCodes.replaced, 'another connection took over this terminal');
    try {
      this.#ensureShell();
    } catch (error) {
      this.#socket = undefined;
      socket.sendText(control({ type: 'error', code: 'shell_failed', message: `The shell could not start: ${(error as Error).message}` }));
      socket.close(1011, 'shell failed');
      return;
    }
    const replay = this.#replay.contents();
    socket.sendText(control({ type: 'ready', host: this.host, replayed: replay.length }));
    this.#unacknowledged = 0;
    if (replay.length > 0) this.#send(replay);
    this.#updateFlow();
  }

  detach(socket: TerminalSocket): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    // Nobody is watching: let the shell run on; its output goes to the replay buffer only.
    this.#unacknowledged = 0;
    this.#updateFlow();
  }

  /** A frame from the attached socket: binary is keyboard input, text is a control message. */
  receive(socket: TerminalSocket, data: Buffer | string, isBinary: boolean): void {
    if (this.#socket !== socket || !this.#pty) return;
    if (isBinary) {
      this.#pty.write(typeof data === 'string' ? data : Buffer.from(data));
      this.#options.onInput?.();
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(data));
    } catch {
      parsed = undefined;
    }
    const message = terminalClientMessageSchema.safeParse(parsed);
    if (!message.success) {
      socket.sendText(control({ type: 'error', code: 'invalid_message', message: 'Control frames are JSON: {"type":"resize","cols":80,"rows":24} or {"type":"ack","bytes":n}.' }));
      return;
    }
    if (message.data.type === 'resize') {
      this.#size = { cols: message.data.cols, rows: message.data.rows };
      this.#pty.resize(this.#size.cols, this.#size.rows);
    } else {
      this.#unacknowledged = Math.max(0, this.#unacknowledged - message.data.bytes);
      this.#updateFlow();
    }
  }

  /** A line from Doca itself (not the shell), shown in the terminal and kept for replay. */
  notice(text: string): void {
    this.#output(Buffer.from(`\r\n\x1b[1;33m${text.replaceAll('\n', '\r\n')}\x1b[0m\r\n`));
  }

  /** A control message for the lab UI, e.g. the daemon's state. */
  control(message: TerminalServerMessage): void {
    this.#socket?.sendText(control(message));
  }

  /** Ends the terminal for good: the session is over. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.sendText(control({ type: 'error', code: 'session_ended', message: reason }));
    socket?.close(terminalCloseCodes.sessionEnded, 'session ended');
    this.#pty?.kill('SIGKILL');
    this.#pty = undefined;
  }

  #ensureShell(): void {
    if (this.#pty) return;
    const pty = this.#options.spawnShell(this.#size);
    this.#pty = pty;
    this.#paused = false;
    pty.onData((data) => this.#output(typeof data === 'string' ? Buffer.from(data) : data));
    pty.onExit(({ exitCode, signal }) => {
      if (this.#pty !== pty) return;
      this.#pty = undefined;
      this.#options.log?.({ event: 'pty.closed', host: this.host, outcome: 'exited', exitCode, signal: signal ?? null });
      const socket = this.#socket;
      this.#socket = undefined;
      // The next connection starts a fresh shell; the old output stays for its replay.
      socket?.sendText(control({ type: 'exit', exitCode, signal: signal || null }));
      socket?.close(1000, 'shell exited');
    });
  }

  #output(chunk: Buffer): void {
    this.#replay.push(chunk);
    if (!this.#socket) return;
    this.#send(chunk);
    this.#updateFlow();
  }

  #send(chunk: Buffer): void {
    this.#socket!.sendBytes(chunk);
    this.#unacknowledged += chunk.length;
  }

  #updateFlow(): void {
    if (!this.#pty) return;
    if (!this.#paused && this.#unacknowledged > terminalFlowControl.highWatermark) {
      this.#paused = true;
      this.#pty.pause();
    } else if (this.#paused && this.#unacknowledged < terminalFlowControl.lowWatermark) {
      this.#paused = false;
      this.#pty.resume();
    }
  }
}

function control(message: TerminalServerMessage): string {
  return JSON.stringify(message);
}
