// The sessions this agent holds for learners (each a LiveSession): capacity, time limits and idle
// reaping, a warm pool of pre-started sessions, and what a machine that cannot make one answers.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { refusal, success, type Outcome } from '../../protocol/outcome.ts';
import type { PhaseRecorder } from '../sandbox/sandbox-host.ts';
import type { SandboxSessions } from '../sandbox/session.ts';
import type { LabDefinition } from '../../src/labs/lab-definition.ts';
import type { StepProgress } from '../../protocol/progress.ts';
import type { ActivityReporter } from './activity-reporter.ts';
import { Admission, type AdmissionPriority } from './admission.ts';
import { LiveSession } from './live-session.ts';
import { terminalNotices } from './messages.ts';
import { oneLine } from './self-test.ts';

export interface SessionLimits {
  /** A session ends this long after it starts, unless extended. */
  timeLimitMs: number;
  /** A session ends after this long without terminal input. */
  idleLimitMs: number;
  /** What one extension adds when the request doesn't say. */
  extensionMs: number;
}

export const defaultSessionLimits: SessionLimits = {
  timeLimitMs: 2 * 3600_000,
  idleLimitMs: 30 * 60_000,
  extensionMs: 30 * 60_000,
};

/** How many ready sessions to keep per host count, e.g. `{ 1: 2 }`: two one-host sessions. */
export type WarmPoolSpec = Partial<Record<number, number>>;

export type Logger = (event: Record<string, unknown>) => void;

/** A session's steps that just passed, with the session's key and lab. */
export type StepsPassedListener = (passed: { key: string; lab: string; steps: StepProgress[] }) => void;

export interface LiveSessionsOptions {
  sessions: SandboxSessions;
  /** How many sandbox hosts this machine may hold at once, warm ones included. */
  capacity: number;
  warmPool?: WarmPoolSpec;
  limits?: Partial<SessionLimits>;
  /** Milliseconds since the epoch; tests move it. */
  clock?: () => number;
  /** Hears how long each step of a new session's first host took (`bench:host`). */
  onPhase?: PhaseRecorder;
  /** How many sessions start at once (default: one per core). */
  admission?: Admission;
  /** The labs whose sessions get checks (a session for another lab, or none, gets none). */
  labs?: ReadonlyMap<string, LabDefinition>;
  /** Hears the steps a session's checks saw pass, once each (the control plane keeps them). */
  onStepsPassed?: StepsPassedListener;
  /** Hears a lab session's steps and commands as they happen (the learner's class sees them). */
  activity?: Pick<ActivityReporter, 'follow'>;
  log?: Logger;
}

export class LiveSessions {
  readonly sessions: SandboxSessions;
  /** Why this machine cannot make sandboxes now (its self-test failed), or undefined when it can. */
  problem: string | undefined;
  readonly #capacity: number;
  readonly limits: SessionLimits;
  readonly warmPool: WarmPoolSpec;
  readonly now: () => number;
  readonly log: Logger;
  readonly labs: ReadonlyMap<string, LabDefinition>;
  readonly onStepsPassed: StepsPassedListener | undefined;
  readonly activity: Pick<ActivityReporter, 'follow'> | undefined;
  #assigned = new Map<string, LiveSession>();
  #warm: LiveSession[] = [];
  /** Hosts being created, counted before they exist so parallel requests can't overshoot. */
  #reservedHosts = 0;
  #refilling: Promise<void> | undefined;
  #closed = false;
  readonly #admission: Admission;
  /** Creations by the key the control plane named them with: asking again gets the same one. */
  readonly #byKey = new Map<string, Promise<Outcome<{ session: LiveSession; warm: boolean }>>>();
  readonly #onPhase: PhaseRecorder | undefined;

  constructor(options: LiveSessionsOptions) {
    this.sessions = options.sessions;
    this.#capacity = options.capacity;
    this.#onPhase = options.onPhase;
    this.#admission = options.admission ?? new Admission(availableParallelism());
    this.limits = { ...defaultSessionLimits, ...options.limits };
    this.warmPool = options.warmPool ?? {};
    this.now = options.clock ?? Date.now;
    this.log = options.log ?? ((event) => console.log(JSON.stringify(event)));
    this.labs = options.labs ?? new Map();
    this.onStepsPassed = options.onStepsPassed;
    this.activity = options.activity;
  }

  /** Sandbox hosts this machine may hold at once: none while it has a problem. */
  get capacity(): number {
    return this.problem === undefined ? this.#capacity : 0;
  }

  get usedHosts(): number {
    const count = (sessions: Iterable<LiveSession>) => [...sessions].reduce((sum, s) => sum + s.record.hosts.length, 0);
    return this.#reservedHosts + count(this.#assigned.values()) + count(this.#warm);
  }

  get warmHosts(): number {
    return this.#warm.reduce((sum, s) => sum + s.record.hosts.length, 0);
  }

  list(): LiveSession[] {
    return [...this.#assigned.values()];
  }

  find(id: string): LiveSession | undefined {
    return this.#assigned.get(id);
  }

  /** The keys of the sessions this agent holds or is making, for the control plane to reconcile. */
  keys(): string[] {
    return [...this.#byKey.keys()];
  }

  /** Sessions waiting for their turn to start, and starting now. */
  get starts(): { waiting: number; running: number } {
    return { waiting: this.#admission.waiting, running: this.#admission.running };
  }

  /**
   * A session for a learner: from the warm pool when one of that size is ready, else started now.
   * Refused when the machine is full (`capacity_exhausted`) or cannot make sandboxes (`sandbox_failed`).
   */
  create(hostCount: number, lab?: string, key?: string): Promise<Outcome<{ session: LiveSession; warm: boolean }>> {
    // A retry (its first answer timed out, say) gets the session the first request made or is making.
    const known = key === undefined ? undefined : this.#byKey.get(key);
    if (known) return known;
    const creation = this.#create(hostCount, lab, key);
    if (key !== undefined) {
      this.#byKey.set(key, creation);
      void creation.then((outcome) => outcome.ok || this.#byKey.delete(key));
    }
    return creation;
  }

  async #create(hostCount: number, lab: string | undefined, key: string | undefined): Promise<Outcome<{ session: LiveSession; warm: boolean }>> {
    if (this.#closed) return refusal('capacity_exhausted', 'This agent is shutting down.');
    if (this.problem !== undefined) return refusal('sandbox_failed', `This sandbox host cannot make sandboxes: ${this.problem}`);
    const ready = this.#warm.findIndex((s) => s.record.hosts.length === hostCount);
    if (ready !== -1) {
      const [session] = this.#warm.splice(ready, 1);
      this.#hand(session, lab, key);
      this.refillWarmPool();
      return success({ session, warm: true });
    }
    while (this.usedHosts + hostCount > this.capacity && this.#warm.length > 0) {
      // A learner waiting beats a session nobody asked for yet.
      await this.#remove(this.#warm.shift()!, terminalNotices.sessionDeleted, 'evicted');
    }
    if (this.usedHosts + hostCount > this.capacity) return refusal('capacity_exhausted', 'This sandbox host is full.');
    let session: LiveSession;
    try {
      session = await this.#start(hostCount, 'learner');
    } catch (error) {
      // Machines fail: the control plane tells the learner in their language and logs why.
      return refusal('sandbox_failed', `The sandbox host could not start a session: ${oneLine(error)}`);
    }
    this.#hand(session, lab, key);
    return success({ session, warm: false });
  }

  extend(session: LiveSession, seconds?: number): LiveSession {
    const now = this.now();
    const added = seconds === undefined ? this.limits.extensionMs : seconds * 1000;
    // Never more than one full time limit ahead, however often it is extended.
    session.expiresAt = Math.min(Math.max(session.expiresAt, now) + added, now + this.limits.timeLimitMs);
    this.log({ event: 'session.extended', session: session.id, expiresAt: new Date(session.expiresAt).toISOString() });
    return session;
  }

  /**
   * Removes the session named `key` (the control plane no longer knows it), once made if it is
   * still starting; nothing when there is none.
   */
  forget(key: string): void {
    const creation = this.#byKey.get(key);
    if (!creation) return;
    void creation
      .then(async (outcome) => {
        if (outcome.ok && this.#assigned.has(outcome.value.session.id)) await this.#remove(outcome.value.session, terminalNotices.sessionDeleted, 'unknown');
      })
      .catch((error) => this.log({ event: 'session.remove_failed', key, error: (error as Error).message }));
  }

  /** Ends the session and removes its hosts; false when this agent holds no such session. */
  async delete(id: string): Promise<boolean> {
    const session = this.find(id);
    if (session) await this.#remove(session, terminalNotices.sessionDeleted, 'deleted');
    return session !== undefined;
  }

  /** Ends sessions past their time limit or idle for too long; returns their ids. */
  async reap(): Promise<string[]> {
    const now = this.now();
    const reaped: string[] = [];
    for (const session of this.list()) {
      if (now >= session.expiresAt) await this.#remove(session, terminalNotices.sessionExpired, 'expired');
      else if (now - session.lastInputAt >= this.limits.idleLimitMs) await this.#remove(session, terminalNotices.sessionIdle, 'idle');
      else continue;
      reaped.push(session.id);
    }
    return reaped;
  }

  /** Starts sessions until the warm pool is full (or capacity is reached); one at a time, in the background. */
  refillWarmPool(): Promise<void> {
    this.#refilling ??= (async () => {
      try {
        for (let next = this.#nextWarmSize(); next !== undefined && !this.#closed; next = this.#nextWarmSize()) {
          const session = await this.#start(next, 'warm');
          if (this.#closed) await this.#remove(session, terminalNotices.sessionDeleted, 'closed');
          else this.#warm.push(session);
        }
      } catch (error) {
        this.log({ event: 'warm_pool.failed', error: (error as Error).message });
      } finally {
        this.#refilling = undefined;
      }
    })();
    return this.#refilling;
  }

  /** Removes every session, warm ones too (agent shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#refilling;
    for (const session of [...this.#warm, ...this.#assigned.values()]) await this.#remove(session, terminalNotices.sessionDeleted, 'closed');
  }

  #nextWarmSize(): number | undefined {
    for (const [size, wanted = 0] of Object.entries(this.warmPool)) {
      const hostCount = Number(size);
      const have = this.#warm.filter((s) => s.record.hosts.length === hostCount).length;
      if (have < wanted && this.usedHosts + hostCount <= this.capacity) return hostCount;
    }
    return undefined;
  }

  async #start(hostCount: number, priority: AdmissionPriority): Promise<LiveSession> {
    // Counted from the moment it is asked for, so requests waiting their turn can't overshoot capacity.
    this.#reservedHosts += hostCount;
    try {
      return await this.#admission.run(priority, async () => {
        const record = await this.sessions.create(hostCount, randomBytes(4).toString('hex'), this.#onPhase);
        return new LiveSession(this, record, this.now());
      });
    } finally {
      this.#reservedHosts -= hostCount;
    }
  }

  #hand(session: LiveSession, lab: string | undefined, key: string | undefined): void {
    session.assign(this.now(), lab, key);
    this.#assigned.set(session.id, session);
  }

  async #remove(session: LiveSession, notice: readonly string[], outcome: string): Promise<void> {
    this.#assigned.delete(session.id);
    if (session.key !== undefined) this.#byKey.delete(session.key);
    this.#warm = this.#warm.filter((s) => s !== session);
    session.end(notice);
    await this.sessions.destroy(session.record);
    this.log({ event: 'session.removed', session: session.id, outcome });
  }
}
