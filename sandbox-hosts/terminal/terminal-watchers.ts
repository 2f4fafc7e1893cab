// Help mode: the read-only watchers of one host's terminal (a class's instructor). Each gets what the
// learner's socket gets of the shell — `ready`, the replay, then live output — and nothing a watcher
// sends reaches the pty: of its frames only acknowledgements count, and only for its own lag. A
// watcher never holds the shell back: one that falls too far behind is closed (it may connect again
// and gets the replay), and a watcher whose socket fails is dropped without touching the learner's.
import { terminalClientMessageSchema, terminalCloseCodes, terminalProtocolErrorCode, terminalWatchLimits, type TerminalServerMessage } from '../../protocol/terminal.ts';
import type { TerminalSocket } from './host-terminal.ts';

interface Watcher {
  socket: TerminalSocket;
  /** Bytes sent to this watcher and not yet acknowledged by it. */
  unacknowledged: number;
}

export interface TerminalWatchersOptions {
  host: string;
  /** The number of watchers changed (the learner is told whether anyone watches). */
  onChange: (count: number) => void;
  log?: (event: Record<string, unknown>) => void;
}

export class TerminalWatchers {
  readonly #watchers = new Map<TerminalSocket, Watcher>();
  readonly #options: TerminalWatchersOptions;

  constructor(options: TerminalWatchersOptions) {
    this.#options = options;
  }

  get count(): number {
    return this.#watchers.size;
  }

  has(socket: TerminalSocket): boolean {
    return this.#watchers.has(socket);
  }

  /** Adds a watcher: it is told `ready` and the learner's terminal size, then gets the replay; refused (closed) past the limit. */
  add(socket: TerminalSocket, replay: Buffer, size: { cols: number; rows: number }): void {
    if (this.#watchers.size >= terminalWatchLimits.maxWatchers) {
      this.#options.log?.({ event: 'terminal.watch_refused', host: this.#options.host, watchers: this.#watchers.size });
      socket.close(terminalCloseCodes.watchersFull, 'this terminal has as many watchers as it takes');
      return;
    }
    const watcher: Watcher = { socket, unacknowledged: 0 };
    this.#watchers.set(socket, watcher);
    this.#options.log?.({ event: 'terminal.watch_started', host: this.#options.host, watchers: this.#watchers.size });
    this.#options.onChange(this.#watchers.size);
    this.#send(watcher, () => socket.sendText(control({ type: 'ready', host: this.#options.host, replayed: replay.length })));
    if (this.#watchers.has(socket)) this.#send(watcher, () => socket.sendText(control({ type: 'size', ...size })));
    if (replay.length > 0 && this.#watchers.has(socket)) this.#sendBytes(watcher, replay);
  }

  /** The watcher's socket closed. */
  remove(socket: TerminalSocket): void {
    if (!this.#watchers.delete(socket)) return;
    this.#options.log?.({ event: 'terminal.watch_ended', host: this.#options.host, watchers: this.#watchers.size });
    this.#options.onChange(this.#watchers.size);
  }

  /** A frame from a watcher: an acknowledgement lowers its own lag; anything else is ignored. */
  receive(socket: TerminalSocket, data: Buffer | string, isBinary: boolean): void {
    const watcher = this.#watchers.get(socket);
    if (!watcher || isBinary) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(data));
    } catch {
      return;
    }
    const message = terminalClientMessageSchema.safeParse(parsed);
    if (!message.success || message.data.type !== 'ack') return;
    if (message.data.bytes > watcher.unacknowledged) {
      this.#options.log?.({ event: 'terminal.protocol_violation', host: this.#options.host, watcher: true, acknowledged: message.data.bytes, unacknowledged: watcher.unacknowledged });
      this.#drop(watcher, terminalProtocolErrorCode, 'acknowledged more than was sent');
      return;
    }
    watcher.unacknowledged -= message.data.bytes;
  }

  /** The shell's output, to every watcher; those too far behind are closed. */
  output(chunk: Buffer): void {
    for (const watcher of [...this.#watchers.values()]) {
      this.#sendBytes(watcher, chunk);
      const behind = Math.max(watcher.unacknowledged, watcher.socket.bufferedAmount);
      if (this.#watchers.has(watcher.socket) && behind > terminalWatchLimits.maxBehindBytes) {
        this.#options.log?.({ event: 'terminal.watcher_behind', host: this.#options.host, behind });
        this.#drop(watcher, terminalCloseCodes.watcherBehind, 'too far behind the terminal');
      }
    }
  }

  /** The learner resized their terminal: every watcher draws at the new size. */
  resized(size: { cols: number; rows: number }): void {
    for (const watcher of [...this.#watchers.values()]) this.#send(watcher, () => watcher.socket.sendText(control({ type: 'size', ...size })));
  }

  /** The session ended: every watcher is told and closed. */
  closeAll(message: TerminalServerMessage, code: number, reason: string): void {
    for (const watcher of [...this.#watchers.values()]) {
      this.#send(watcher, () => watcher.socket.sendText(control(message)));
      this.#drop(watcher, code, reason);
    }
  }

  #sendBytes(watcher: Watcher, bytes: Buffer): void {
    watcher.unacknowledged += bytes.length;
    this.#send(watcher, () => watcher.socket.sendBytes(bytes));
  }

  /** Runs a send to one watcher; a socket that throws is dropped, and nothing reaches the caller. */
  #send(watcher: Watcher, send: () => void): void {
    try {
      send();
    } catch (error) {
      this.#options.log?.({ event: 'terminal.watcher_failed', host: this.#options.host, error: String(error) });
      this.#drop(watcher, 1011, 'watcher failed');
    }
  }

  #drop(watcher: Watcher, code: number, reason: string): void {
    this.remove(watcher.socket);
    try {
      watcher.socket.close(code, reason);
    } catch {
      // Already unusable: it is dropped either way.
    }
  }
}

function control(message: TerminalServerMessage): string {
  return JSON.stringify(message);
}
