// A session's lab, checked as the learner works: what its daemons did (Engine events, the API calls
// they answered, the commands the shells finished, the restarts the agent made) is recorded here,
// and each time something happens the steps not yet passed are evaluated again, shortly after the
// burst a command makes settles. A step whose check reads the present passes once that has held
// for a second (a container that dies at once does not pass). A passed step stays passed; its
// "still true" is read again beside it. One evaluation runs at a time, and one that fails or hangs
// never stops the agent (evaluate.ts bounds each read).
import { factOf, type DockerEvent, type DockerFact } from '../../protocol/events.ts';
import type { LabDefinition, LabStep } from '../../src/labs/lab-definition.ts';
import { stateKinds } from '../../src/labs/checks/conditions.ts';
import { openHints } from '../../src/labs/hints.ts';
import { evaluateCondition, evaluateStep, type APICall, type DaemonRestart, type FinishedCommand, type LabRecord } from '../../src/labs/checks/evaluate.ts';
import type { StateReader } from '../../src/labs/checks/state-conditions.ts';
import type { StepProgress } from '../../protocol/progress.ts';
import type { ActivityReport } from '../../protocol/classes.ts';

export type { StepProgress };

/** A step as a class's grid shows it (protocol/classes.ts). */
export type StepActivity = ActivityReport['steps'][number];

/**
 * How long what a step's state conditions read must hold before the step passes: a container that
 * dies right after `docker run -d` never passes. postgres without a password, the lessons' case,
 * exits about 25 ms after it starts (measured in a sandbox); 300 ms leaves that ten times over and
 * keeps the step's answer within half a second of the command.
 */
export const confirmHoldMs = 300;

export interface LabChecksOptions {
  /** How long after the last thing that happened an evaluation starts (a command makes a burst). */
  settleMs?: number;
  /** An evaluation starts at most this long after the first thing that happened, however busy. */
  maxDelayMs?: number;
  /** How long a step's "is it" conditions must hold before it passes (default `confirmHoldMs`). */
  confirmMs?: number;
  now?: () => number;
  log?: (event: Record<string, unknown>) => void;
}

/** What the record keeps of each kind; the oldest go first. */
export const maxRecorded = 10_000;

export class LabChecks {
  readonly lab: LabDefinition;
  readonly #state: StateReader;
  readonly #facts: DockerFact[] = [];
  readonly #apiCalls: APICall[] = [];
  readonly #commands: FinishedCommand[] = [];
  readonly #daemonRestarts: DaemonRestart[] = [];
  readonly #progress: Map<string, StepProgress>;
  readonly #listeners = new Set<(progress: StepProgress[]) => void>();
  readonly #settleMs: number;
  readonly #maxDelayMs: number;
  readonly #now: () => number;
  readonly #log: (event: Record<string, unknown>) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** How long what a step's state conditions read must hold before the step passes. */
  readonly #confirmMs: number;
  /** Steps whose check holds, by when it first did, waiting for it to hold `confirmMs`. */
  readonly #holding = new Map<string, number>();
  /** When each step became the one the learner is on: its time-based hints count from then. */
  readonly #currentSince = new Map<string, number>();
  #firstPendingAt: number | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(lab: LabDefinition, state: StateReader, options: LabChecksOptions = {}) {
    this.lab = lab;
    this.#state = state;
    this.#settleMs = options.settleMs ?? 100;
    this.#maxDelayMs = options.maxDelayMs ?? 300;
    this.#confirmMs = options.confirmMs ?? confirmHoldMs;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => undefined);
    this.#progress = new Map(lab.steps.map((step) => [step.id, { step: step.id, status: 'pending', failures: 0 }]));
    this.#currentSince.set(lab.steps[0].id, this.#now());
  }

  /** The record so far, as the engine reads it (and a fixture keeps it). */
  get record(): LabRecord {
    return { facts: this.#facts, apiCalls: this.#apiCalls, commands: this.#commands, daemonRestarts: this.#daemonRestarts };
  }

  progress(): StepProgress[] {
    return this.lab.steps.map((step) => ({ ...this.#progress.get(step.id)! }));
  }

  /**
   * The steps the learner reached or passed, as a class's grid shows them: done, or working (the
   * step they are on, its hints counted as open now), with failures as attempts, when they reached
   * it and the latest reason. Steps not reached and not passed are left out.
   */
  activity(): StepActivity[] {
    const now = this.#now();
    const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    return this.lab.steps.flatMap((step): StepActivity[] => {
      const progress = this.#progress.get(step.id)!;
      const since = this.#currentSince.get(step.id);
      const counts = { step: step.id, attempts: progress.failures, since: iso(since) };
      if (progress.status === 'passed') return [{ ...counts, state: 'done', hintsUsed: progress.hintsUsed ?? 0, passedAt: iso(progress.passedAt), lastReason: null }];
      if (since === undefined) return [];
      const hintsUsed = openHints(step, { failures: progress.failures, sinceMs: since, nowMs: now }).length;
      return [{ ...counts, state: 'working', hintsUsed, passedAt: null, lastReason: progress.reason ?? null }];
    });
  }

  /** Hears the progress after every evaluation that changed it; returns how to stop. */
  subscribe(listener: (progress: StepProgress[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  addEvent(event: DockerEvent): void {
    const fact = factOf(event);
    if (!fact) return;
    push(this.#facts, fact);
    this.#soon();
  }

  addAPICall(call: APICall): void {
    push(this.#apiCalls, call);
    this.#soon();
  }

  addCommand(command: FinishedCommand): void {
    push(this.#commands, command);
    this.#soon();
  }

  /** The agent started the host's daemon again after it stopped. */
  addDaemonRestart(restart: DaemonRestart): void {
    push(this.#daemonRestarts, restart);
    this.#soon();
  }

  /** Evaluates now (the Check button, a test) and resolves once done, with the progress. */
  async checkNow(): Promise<StepProgress[]> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#run(false);
    return this.progress();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#listeners.clear();
  }

  /** Something happened: evaluate once things settle, and no later than the longest delay. */
  #soon(): void {
    if (this.#closed) return;
    const now = this.#now();
    this.#firstPendingAt ??= now;
    const wait = Math.max(0, Math.min(this.#settleMs, this.#firstPendingAt + this.#maxDelayMs - now));
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#firstPendingAt = undefined;
      void this.#run(true);
    }, wait);
  }

  /** One evaluation at a time; asked for during one, another follows it. */
  async #run(learnerActed: boolean): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#evaluate(learnerActed)
      .catch((error) => this.#log({ event: 'checks.failed', lab: this.lab.id, error: (error as Error).message }))
      .finally(() => (this.#running = undefined));
    await this.#running;
    if (this.#again && !this.#closed) {
      this.#again = false;
      await this.#run(learnerActed);
    }
  }

  async #evaluate(learnerActed: boolean): Promise<void> {
    const before = JSON.stringify(this.progress());
    // Within one evaluation the present is read once per question, however many steps ask it.
    const state = readOnce(this.#state);
    // The step the learner is on: the first one not passed. Only its failures count as attempts.
    const current = this.lab.steps.find((step) => this.#progress.get(step.id)!.status !== 'passed');
    for (const step of this.lab.steps) {
      const progress = this.#progress.get(step.id)!;
      if (progress.status === 'passed') {
        progress.stillTrue = await this.#stillTrue(step, state);
        continue;
      }
      const result = await evaluateStep(step, this.record, state);
      if (result.status === 'passed') {
        // What is true now must stay true a moment: a container that dies a second after `docker
        // run -d` (postgres without a password) is not a step done. Checked again once it has held.
        const heldSince = this.#holding.get(step.id);
        if (hasStateConditions(step) && (heldSince === undefined || this.#now() - heldSince < this.#confirmMs)) {
          if (heldSince === undefined) {
            this.#holding.set(step.id, this.#now());
            setTimeout(() => void this.#run(false), this.#confirmMs + 10);
          }
          progress.confirming = true;
          continue;
        }
        this.#holding.delete(step.id);
        const passedAt = this.#now();
        const hintsUsed = openHints(step, { failures: progress.failures, sinceMs: this.#currentSince.get(step.id), nowMs: passedAt }).length;
        this.#progress.set(step.id, { step: step.id, status: 'passed', passedAt, failures: progress.failures, hintsUsed, ...(hasStateConditions(step) ? { stillTrue: true } : {}) });
        continue;
      }
      this.#holding.delete(step.id);
      delete progress.confirming;
      progress.status = result.status;
      progress.reason = result.reason;
      if (result.status === 'unknown') this.#log({ event: 'checks.could_not_check', lab: this.lab.id, step: step.id, detail: result.detail });
      if (result.status === 'failed' && learnerActed && step === current) progress.failures++;
    }
    const next = this.lab.steps.find((step) => this.#progress.get(step.id)!.status !== 'passed');
    if (next && !this.#currentSince.has(next.id)) this.#currentSince.set(next.id, this.#now());
    const after = this.progress();
    if (JSON.stringify(after) !== before) for (const listener of this.#listeners) listener(after);
  }

  async #stillTrue(step: LabStep, state: StateReader): Promise<boolean | undefined> {
    const present = step.check.filter((condition) => stateKinds.has(condition.kind));
    if (present.length === 0) return undefined;
    for (const condition of present) if ((await evaluateCondition(condition, this.record, state)).status !== 'holds') return false;
    return true;
  }
}

/** A reader that asks `state` each question once: the same answer (or failure) to every step that asks it again. */
export function readOnce(state: StateReader): StateReader {
  const asked = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    if (!asked.has(key)) asked.set(key, read());
    return asked.get(key) as Promise<T>;
  };
  return {
    images: (host) => once(`images ${host}`, () => state.images(host)),
    containers: (host) => once(`containers ${host}`, () => state.containers(host)),
    networks: (host) => once(`networks ${host}`, () => state.networks(host)),
    volumes: (host) => once(`volumes ${host}`, () => state.volumes(host)),
    portOpen: (host, port) => once(`port ${host} ${port}`, () => state.portOpen(host, port)),
    registryTags: (host, port, repository) => once(`registry ${host} ${port} ${repository}`, () => state.registryTags(host, port, repository)),
  };
}

const hasStateConditions = (step: LabStep) => step.check.some((condition) => stateKinds.has(condition.kind));

function push<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > maxRecorded) list.splice(0, list.length - maxRecorded);
}
