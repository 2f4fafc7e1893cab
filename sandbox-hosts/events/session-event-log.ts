// A session's Docker events in arrival order, numbered, bounded in memory, with live subscribers.
import type { DockerEvent, DockerEventPage } from '../../protocol/events.ts';

/** Enough for hours of busy lab work; the control plane copies events out long before this fills. */
export const defaultEventLogLimit = 20_000;

export class SessionEventLog {
  readonly limit: number;
  #events: DockerEvent[] = [];
  #last = 0;
  #listeners = new Set<(event: DockerEvent) => void>();

  constructor(limit = defaultEventLogLimit) {
    this.limit = limit;
  }

  get last(): number {
    return this.#last;
  }

  append(event: Omit<DockerEvent, 'seq'>): DockerEvent {
    const recorded = { seq: ++this.#last, ...event };
    this.#events.push(recorded);
    if (this.#events.length > this.limit) this.#events.splice(0, this.#events.length - this.limit);
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
