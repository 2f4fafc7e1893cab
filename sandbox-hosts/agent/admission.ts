// How many sandbox sessions start at once. A cold start is CPU-bound (a rootless daemon coming up),
// so starting thirty at once on two cores makes every one of them slow and some fail; admitted a
// few at a time, in the order asked, each finishes quickly and the line keeps moving. Learners go
// before the warm pool, which refills behind them.
export type AdmissionPriority = 'learner' | 'warm';

export class Admission {
  readonly limit: number;
  #running = 0;
  readonly #waiting: Record<AdmissionPriority, (() => void)[]> = { learner: [], warm: [] };

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Admission needs a whole number of starts at once, not ${limit}.`);
    this.limit = limit;
  }

  /** Starts waiting for their turn, learners first. */
  get waiting(): number {
    return this.#waiting.learner.length + this.#waiting.warm.length;
  }

  get running(): number {
    return this.#running;
  }

  /** Runs `start` when its turn comes; the next one is admitted as soon as it settles. */
  async run<T>(priority: AdmissionPriority, start: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) await new Promise<void>((admit) => this.#waiting[priority].push(admit));
    else this.#running++;
    try {
      return await start();
    } finally {
      const next = this.#waiting.learner.shift() ?? this.#waiting.warm.shift();
      // The slot passes straight to the next in line, so a newcomer cannot slip in between.
      if (next) next();
      else this.#running--;
    }
  }
}
