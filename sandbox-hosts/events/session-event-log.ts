// A session's Docker events in arrival order, numbered, bounded in memory, with live subscribers.
import type { DockerEvent, DockerEventPage } from '../../protocol/events.ts';

/** Enough for hours of busy lab work; the control plane copies events out long before this fills. */
export const defaultEventLogLimit = 20_000;

/**
 * The same hours in bytes (an event is a few hundred); the daemon is the learner's, and a stream of
 * events made large on purpose must not grow the agent's memory past this per session.
 */
export const defaultEventLogBytes = 16 * 1024 * 1024;

export class SessionEventLog {
  readonly limit: number;
  readonly byteLimit: number;
  #events: DockerEvent[] = [];
  #sizes: number[] = [];
  #bytes = 0;
  #last = 0;
  #listeners = new Set<(event: DockerEvent) => void>();

  constructor(limit = defaultEventLogLimit, byteLimit = defaultEventLogBytes) {
    this.limit = limit;
    this.byteLimit = byteLimit;
  }

  /** What the kept events weigh, as JSON. */
  get bytes(): number {
    return this.#bytes;
  }

  get last(): number {
    return this.#last;
  }

  append(event: Omit<DockerEvent, 'seq'>): DockerEvent {
    const recorded = { seq: ++this.#last, ...event };
    const size = Buffer.byteLength(JSON.stringify(recorded));
    this.#events.push(recorded);
    this.#sizes.push(size);
    this.#bytes += size;
    let drop = Math.max(0, this.#events.length - this.limit);
    let dropped = sum(this.#sizes, drop);
    // The newest event always stays, so a reader never misses that something happened.
    while (drop < this.#events.length - 1 && this.#bytes - dropped > this.byteLimit) dropped += this.#sizes[drop++];
    if (drop > 0) {
      this.#bytes -= dropped;
      this.#events.splice(0, drop);
      this.#sizes.splice(0, drop);
    }
    for (const listener of this.#listeners) listener(recorded);
    return recorded;
  }

  /** Events with seq > `after`, oldest first, at most `max`. */
  page(after = 0, max = 1_000): DockerEventPage {
    const firstKept = this.#events[0]?.seq ?? this.#last + 1;
    const start = Math.max(0, after + 1 - firstKept);
    return { events: this.#events.slice(start, start + max), last: this.#last, firstKept };
  }

  subscribe(listener: (event: DockerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function sum(values: readonly number[], count: number): number {
  let total = 0;
  for (let i = 0; i < count; i++) total += values[i];
  return total;
}
