// What a learner's daemon prints, read from a pipe rather than left in a file on the machine: a
// daemon made to log without end (at debug level, every API call is a line) costs the agent a
// bounded buffer, never the machine's disk. The agent keeps the last lines (to say why a start
// failed) and hears each API call the daemon answered (`Calling GET /v1.41/version`): the lab's
// "did it" checks and the client → daemon flow read them. Every byte is the learner's: lines are
// bounded, and a line that isn't an API call is only kept in the tail.
import type { Readable } from 'node:stream';
import { BoundedLines } from '../events/bounded-lines.ts';

/** An API call the daemon answered: its method and path as the client sent them (version prefix included). */
export interface DaemonAPICall {
  method: string;
  path: string;
  /** Milliseconds since the epoch, from the daemon's log line (the agent's clock when it has none). */
  time: number;
}

/** Longer lines are skipped: a real log line is well under this. */
export const maxDaemonLineBytes = 16 * 1024;
/** What is kept of the latest lines, for a failure message. */
export const keptTailBytes = 16 * 1024;
/** The longest API path kept (a learner's request can carry any path). */
const maxPathChars = 512;

const apiCallLine = /^time="([^"]{1,64})" level=debug msg="Calling (GET|HEAD|POST|PUT|DELETE|PATCH) (\/[^"\s]*)"$/;

/** The API call a daemon log line reports, if it is one. */
export function apiCallOf(line: string, now = Date.now()): DaemonAPICall | undefined {
  const match = apiCallLine.exec(line);
  if (!match) return undefined;
  const [, stamp, method, path] = match;
  const time = Date.parse(stamp);
  return { method, path: path.slice(0, maxPathChars), time: Number.isFinite(time) ? time : now };
}

export class DaemonOutput {
  #tail: string[] = [];
  #tailBytes = 0;
  #listeners = new Set<(call: DaemonAPICall) => void>();
  #lines = new BoundedLines({
    maxLineBytes: maxDaemonLineBytes,
    onLine: (line) => this.#line(line.toString('utf8')),
    onOversize: () => this.#keep('[a line longer than 16 KiB was skipped]'),
  });

  /** Reads `streams` (the daemon's stdout and stderr) to their end; they never hold the agent's process open. */
  constructor(streams: readonly (Readable | null)[]) {
    for (const stream of streams) {
      if (!stream) continue;
      stream.on('data', (chunk: Buffer) => this.#lines.push(chunk));
      stream.on('error', () => undefined); // the daemon went away: nothing more to read
      (stream as Readable & { unref?: () => void }).unref?.();
    }
  }

  /** The last `count` lines the daemon printed. */
  tail(count: number): string {
    return this.#tail.slice(-count).join('\n');
  }

  /** Hears every API call from now on; returns how to stop. */
  onAPICall(listener: (call: DaemonAPICall) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #line(line: string): void {
    const call = apiCallOf(line);
    if (call) {
      for (const listener of this.#listeners) listener(call);
      return; // calls are many and say nothing about a failure: the tail keeps the rest
    }
    this.#keep(line);
  }

  #keep(line: string): void {
    this.#tail.push(line);
    this.#tailBytes += line.length;
    while (this.#tailBytes > keptTailBytes && this.#tail.length > 1) this.#tailBytes -= this.#tail.shift()!.length;
  }
}
