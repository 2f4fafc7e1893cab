// The terminal of one sandbox host: a shell on a pty that outlives the browser's connection. One
// socket is attached at a time; a new one takes over and first receives the replay of recent output.
// Besides it, a few read-only watchers (help mode, terminal-watchers.ts) may see the same output.
// What a client sends is untrusted: a frame that breaks the protocol ends that socket, and an error
// in one terminal's callbacks ends that terminal's connection, never the agent.
import type { EventEmitter } from 'node:events';
import type { IPty } from 'node-pty';
import {
  terminalClientMessageSchema,
  terminalCloseCodes,
  terminalFlowControl,
  terminalProtocolErrorCode,
  terminalReplayBytes,
  type TerminalServerMessage,
} from '../../protocol/terminal.ts';
import { InputHold } from './pty-input.ts';
import { ReplayBuffer } from './replay-buffer.ts';
import { ShellMarks, type ShellMark } from './shell-marks.ts';
import { TerminalWatchers } from './terminal-watchers.ts';

/** What the terminal needs of a WebSocket; the agent adapts `ws` sockets to it. */
export interface TerminalSocket {
  /** `sent` runs once the bytes have left the agent's buffer for the network, or the socket closed. */
  sendBytes(data: Uint8Array, sent?: () => void): void;
  sendText(text: string): void;
  close(code: number, reason: string): void;
  /** Bytes queued in the agent for this socket and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Stops taking frames from the client (TCP holds the rest back), while the shell doesn't read. */
  pauseInput(): void;
  resumeInput(): void;
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
  /** What a newly attached socket is told after `ready` (the lab's progress, the latest command flows). */
  greeting?: () => readonly TerminalServerMessage[];
  /** The shell's hook marked a command's start or end (taken out of the output the learner sees). */
  onShellMark?: (mark: ShellMark) => void;
  /** A watcher came or went (help mode); `watchers` says how many there are now. */
  onWatchersChanged?: (watchers: number) => void;
  log?: (event: Record<string, unknown>) => void;
}

export class HostTerminal {
  readonly host: string;
  #options: HostTerminalOptions;
  #pty: IPty | undefined;
  #socket: TerminalSocket | undefined;
  #replay = new ReplayBuffer(terminalReplayBytes);
  #marks: ShellMarks;
  #watchers: TerminalWatchers;
  /** Whether the learner's socket is told that someone watches (the session's, see `showWatched`). */
  #watchedShown = false;
  #size: ShellSize = { cols: 80, rows: 24 };
  #unacknowledged = 0;
  #paused = false;
  #closed = false;
  /** Holds the attached socket's input back while the shell doesn't read what it got. */
  #inputHold = new InputHold((callback) => this.#guard('input', callback));

  constructor(options: HostTerminalOptions) {
    this.host = options.host;
    this.#options = options;
    this.#marks = new ShellMarks((mark) => options.onShellMark?.(mark));
    this.#watchers = new TerminalWatchers({ host: this.host, onChange: (count) => options.onWatchersChanged?.(count), log: options.log });
  }

  /** Read-only watchers attached now (help mode). */
  get watcherCount(): number {
    return this.#watchers.count;
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
    if (this.#closed) return;
    try {
      this.#ensureShell();
    } catch (error) {
      // The first connection tries again and tells the learner if it still fails.
      this.#options.log?.({ event: 'pty.failed', host: this.host, during: 'prepare', error: String(error) });
    }
  }

  attach(socket: TerminalSocket): void {
    if (this.#closed) return refuseEnded(socket);
    const previous = this.#socket;
    this.#socket = socket;
    this.#inputHold.stop();
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
    for (const message of this.#options.greeting?.() ?? []) socket.sendText(control(message));
    if (this.#watchedShown) socket.sendText(control({ type: 'watched', watching: true }));
    this.#unacknowledged = 0;
    if (replay.length > 0) this.#send(replay);
    this.#updateFlow();
  }

  detach(socket: TerminalSocket): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    this.#inputHold.stop();
    // Nobody is watching: let the shell run on; its output goes to the replay buffer only.
    this.#unacknowledged = 0;
    this.#updateFlow();
  }

  /**
   * A read-only watcher (help mode): it gets the replay and the live output; of what it sends only
   * its acknowledgements count, for its own lag. It neither starts the shell nor holds it back.
   */
  watch(socket: TerminalSocket): void {
    if (this.#closed) return refuseEnded(socket);
    this.#watchers.add(socket, this.#replay.contents(), this.#size);
  }

  unwatch(socket: TerminalSocket): void {
    this.#watchers.remove(socket);
  }

  /** Tells the learner's socket, now and on every attach, whether anyone watches the session's terminals. */
  showWatched(watching: boolean): void {
    if (this.#watchedShown === watching) return;
    this.#watchedShown = watching;
    this.#socket?.sendText(control({ type: 'watched', watching }));
  }

  /** A frame from the attached socket: binary is keyboard input, text is a control message. */
  receive(socket: TerminalSocket, data: Buffer | string, isBinary: boolean): void {
    // A watcher's frames never reach the pty, whatever they hold.
    if (this.#watchers.has(socket)) return this.#watchers.receive(socket, data, isBinary);
    if (this.#socket !== socket || !this.#pty) return;
    if (isBinary) {
      this.#pty.write(typeof data === 'string' ? data : Buffer.from(data));
      this.#options.onInput?.();
      this.#inputHold.check(socket, () => this.#pty, () => this.#socket === socket);
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
      this.#watchers.resized(this.#size);
    } else if (message.data.bytes > this.#unacknowledged) {
      // A client that claims more than it got would lift flow control for bytes it never read.
      this.#options.log?.({ event: 'terminal.protocol_violation', host: this.host, acknowledged: message.data.bytes, unacknowledged: this.#unacknowledged });
      socket.sendText(control({ type: 'error', code: 'protocol_violation', message: `Acknowledged ${message.data.bytes} bytes; only ${this.#unacknowledged} were sent and not yet acknowledged.` }));
      this.detach(socket);
      socket.close(terminalProtocolErrorCode, 'acknowledged more than was sent');
    } else {
      this.#unacknowledged -= message.data.bytes;
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
    this.#inputHold.stop();
    socket?.sendText(control({ type: 'error', code: 'session_ended', message: reason }));
    socket?.close(terminalCloseCodes.sessionEnded, 'session ended');
    this.#watchers.closeAll({ type: 'error', code: 'session_ended', message: reason }, terminalCloseCodes.sessionEnded, 'session ended');
    this.#pty?.kill('SIGKILL');
    this.#pty = undefined;
  }

  #ensureShell(): void {
    if (this.#pty) return;
    const pty = this.#options.spawnShell(this.#size);
    this.#pty = pty;
    this.#paused = false;
    // node-pty rethrows a read error of the pty (other than EIO, the shell's end) from inside its
    // stream's error event unless the terminal has two 'error' listeners: this one logs, the second
    // only makes up that count.
    const emitter = pty as unknown as Partial<EventEmitter>;
    emitter.on?.('error', (error: Error) => this.#options.log?.({ event: 'pty.error', host: this.host, error: String(error) }));
    emitter.on?.('error', () => undefined);
    pty.onData((data) => this.#guard('output', () => this.#output(this.#marks.take(typeof data === 'string' ? Buffer.from(data) : data))));
    pty.onExit(({ exitCode, signal }) =>
      this.#guard('exit', () => {
        if (this.#pty !== pty) return;
        this.#pty = undefined;
        this.#options.log?.({ event: 'pty.closed', host: this.host, outcome: 'exited', exitCode, signal: signal ?? null });
        const socket = this.#socket;
        this.#socket = undefined;
        // The next connection starts a fresh shell; the old output stays for its replay.
        socket?.sendText(control({ type: 'exit', exitCode, signal: signal || null }));
        socket?.close(1000, 'shell exited');
      }),
    );
  }

  /**
   * Runs a pty callback so that an error in it stays with this terminal: it is logged and the
   * attached socket closes (1011; the client reconnects to the same shell) instead of the error
   * escaping into the event loop and taking every learner's session down with the agent.
   */
  #guard(during: string, callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#options.log?.({ event: 'terminal.failed', host: this.host, during, error: String(error) });
      const socket = this.#socket;
      if (!socket) return;
      this.detach(socket);
      try {
        socket.close(1011, 'terminal error');
      } catch {
        // The socket is already unusable; it is detached either way.
      }
    }
  }

  #output(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#replay.push(chunk);
    this.#watchers.output(chunk);
    if (!this.#socket) return;
    this.#send(chunk);
    this.#updateFlow();
  }

  #send(chunk: Buffer): void {
    this.#unacknowledged += chunk.length;
    // Each chunk that leaves the socket's buffer may be what lets a paused shell go on.
    this.#socket!.sendBytes(chunk, () => this.#guard('flow', () => this.#updateFlow()));
  }

  /** Pauses the shell while the client or the socket lags behind; resumes once both have caught up. */
  #updateFlow(): void {
    if (!this.#pty) return;
    const behind = Math.max(this.#unacknowledged, this.#socket?.bufferedAmount ?? 0);
    if (!this.#paused && behind > terminalFlowControl.highWatermark) {
      this.#paused = true;
      this.#pty.pause();
    } else if (this.#paused && behind < terminalFlowControl.lowWatermark) {
      this.#paused = false;
      this.#pty.resume();
    }
  }
}

function control(message: TerminalServerMessage): string {
  return JSON.stringify(message);
}

function refuseEnded(socket: TerminalSocket): void {
  socket.sendText(control({ type: 'error', code: 'session_ended', message: 'This session has ended.' }));
  socket.close(terminalCloseCodes.sessionEnded, 'session ended');
}
