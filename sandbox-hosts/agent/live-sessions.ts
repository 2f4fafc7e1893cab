// The sessions this agent holds for learners: their terminals and Docker event logs, time limit and
// idle reaping, a warm pool of pre-started sessions, and the restart of a daemon a learner stopped.
import { spawn as spawnPty } from 'node-pty';
import { randomBytes } from 'node:crypto';
import type { Session } from '../../protocol/agent.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import { followEngineEvents, type EngineEventFollower } from '../events/engine-events.ts';
import { SessionEventLog } from '../events/session-event-log.ts';
import type { PhaseRecorder, SandboxHostRecord } from '../sandbox/sandbox-host.ts';
import type { SandboxSessions, SessionRecord } from '../sandbox/session.ts';
import { engineStatus, learnerSocket } from '../system/docker-engine.ts';
import { HostTerminal } from '../terminal/host-terminal.ts';
import { noticeText, terminalNotices } from './messages.ts';
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
  log?: Logger;
}

/** The daemon of one host may be restarted this many times within `restartWindowMs`. */
const maxRestarts = 3;
const restartWindowMs = 5 * 60_000;

export class LiveSession {
  readonly record: SessionRecord;
  readonly events = new SessionEventLog();
  readonly terminals = new Map<string, HostTerminal>();
  createdAt: number;
  expiresAt: number;
  lastInputAt: number;
  lab: string | undefined;
  #owner: LiveSessions;
  #followers = new Map<string, EngineEventFollower>();
  #restarts = new Map<string, number[]>();
  #ended = new AbortController();

  constructor(owner: LiveSessions, record: SessionRecord, now: number) {
    this.#owner = owner;
    this.record = record;
    this.createdAt = this.lastInputAt = now;
    this.expiresAt = now + owner.limits.timeLimitMs;
    for (const host of record.hosts) {
      this.terminals.set(
        host.name,
        new HostTerminal({
          host: host.name,
          spawnShell: ({ cols, rows }) => {
            const { file, args } = owner.sessions.hosts.shellCommand(host);
            return spawnPty(file, args, { name: 'xterm-256color', cols, rows, encoding: null, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
          },
          onInput: () => (this.lastInputAt = owner.now()),
          log: owner.log,
        }),
      );
      // From the daemon's start: it keeps only its last 256 events, and checks need all of them.
      this.#follow(host, BigInt(Date.parse(host.createdAt) - 1_000) * 1_000_000n);
    }
    for (const terminal of this.terminals.values()) terminal.prepare();
  }

  get id(): string {
    return this.record.id;
  }

  /** Aborted when the session ends, for streams that should end with it. */
  get ended(): AbortSignal {
    return this.#ended.signal;
  }

  view(): Session {
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      id: this.id,
      lab: this.lab ?? null,
      hosts: this.record.hosts.map((host) => ({ name: host.name, address: host.address })),
      createdAt: iso(this.createdAt),
      expiresAt: iso(this.expiresAt),
      lastInputAt: iso(this.lastInputAt),
      idleUntil: iso(this.lastInputAt + this.#owner.limits.idleLimitMs),
    };
  }

  /** Gives a (possibly warm) session to a learner: its clocks start now. */
  assign(now: number, lab: string | undefined): void {
    this.lab = lab;
    this.createdAt = this.lastInputAt = now;
    this.expiresAt = now + this.#owner.limits.timeLimitMs;
  }

  host(name: string): SandboxHostRecord {
    const host = this.record.hosts.find((h) => h.name === name);
    if (!host) throw new APIFailure('host_not_found', `Session ${this.id} has no host "${name}".`);
    return host;
  }

  terminal(host: string): HostTerminal {
    const terminal = this.terminals.get(host);
    if (!terminal) throw new APIFailure('host_not_found', `Session ${this.id} has no host "${host}"; it has ${[...this.terminals.keys()].join(', ')}.`);
    return terminal;
  }

  /** Stops everything that watches the session's hosts and ends its terminals. */
  end(notice: readonly string[]): void {
    this.#ended.abort();
    for (const follower of this.#followers.values()) follower.close();
    this.#followers.clear();
    for (const terminal of this.terminals.values()) terminal.close(noticeText(notice));
  }

  #follow(host: SandboxHostRecord, afterNano: bigint): void {
    this.#followers.set(
      host.name,
      followEngineEvents({
        socket: learnerSocket(host.dockerSocket, host.uid),
        host: host.name,
        afterNano,
        onEvent: (event) => this.events.append(event),
        onEnd: () =>
          void this.#daemonStopped(host, afterNano).catch((failure) =>
            this.#owner.log({ event: 'daemon.watch_failed', session: this.id, host: host.name, error: String(failure) }),
          ),
        log: (event) => this.#owner.log({ ...event, session: this.id }),
      }),
    );
  }

  /** The event stream ended: the daemon stopped (the learner may have killed it). */
  async #daemonStopped(host: SandboxHostRecord, initialAfter: bigint): Promise<void> {
    if (this.#ended.signal.aborted) return;
    const resumeAfter = this.#followers.get(host.name)?.lastTimeNano ?? initialAfter;
    const terminal = this.terminal(host.name);
    const status = await engineStatus(learnerSocket(host.dockerSocket, host.uid));
    if (status === 'answering') return this.#follow(host, resumeAfter);
    // Something other than the learner's own socket sits at its path: the restart below replaces it.
    if (status !== 'silent') this.#owner.log({ event: 'engine_events.socket_refused', session: this.id, host: host.name, reason: status });
    const now = this.#owner.now();
    const recent = (this.#restarts.get(host.name) ?? []).filter((at) => now - at < restartWindowMs);
    if (recent.length >= maxRestarts) {
      terminal.control({ type: 'daemon', state: 'failed' });
      terminal.notice(noticeText(terminalNotices.daemonFailed));
      this.#owner.log({ event: 'daemon.failed', session: this.id, host: host.name, restarts: recent.length });
      return;
    }
    this.#restarts.set(host.name, [...recent, now]);
    terminal.control({ type: 'daemon', state: 'restarting' });
    terminal.notice(noticeText(terminalNotices.daemonRestarting));
    try {
      await this.#owner.sessions.hosts.restartDaemon(host);
    } catch (error) {
      if (this.#ended.signal.aborted) return;
      terminal.control({ type: 'daemon', state: 'failed' });
      terminal.notice(noticeText(terminalNotices.daemonFailed));
      this.#owner.log({ event: 'daemon.failed', session: this.id, host: host.name, error: (error as Error).message });
      return;
    }
    if (this.#ended.signal.aborted) return;
    this.#owner.log({ event: 'daemon.restarted', session: this.id, host: host.name });
    terminal.control({ type: 'daemon', state: 'running' });
    terminal.notice(noticeText(terminalNotices.daemonRestarted));
    this.#follow(host, resumeAfter);
  }
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
  #assigned = new Map<string, LiveSession>();
  #warm: LiveSession[] = [];
  /** Hosts being created, counted before they exist so parallel requests can't overshoot. */
  #reservedHosts = 0;
  #refilling: Promise<void> | undefined;
  #closed = false;
  readonly #onPhase: PhaseRecorder | undefined;

  constructor(options: LiveSessionsOptions) {
    this.sessions = options.sessions;
    this.#capacity = options.capacity;
    this.#onPhase = options.onPhase;
    this.limits = { ...defaultSessionLimits, ...options.limits };
    this.warmPool = options.warmPool ?? {};
    this.now = options.clock ?? Date.now;
    this.log = options.log ?? ((event) => console.log(JSON.stringify(event)));
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

  get(id: string): LiveSession {
    const session = this.#assigned.get(id);
    if (!session) throw new APIFailure('session_not_found', `No session ${id} on this agent.`);
    return session;
  }

  /** A session for a learner: from the warm pool when one of that size is ready, else started now. */
  async create(hostCount: number, lab?: string): Promise<{ session: LiveSession; warm: boolean }> {
    if (this.#closed) throw new APIFailure('capacity_exhausted', 'This agent is shutting down.');
    if (this.problem !== undefined) throw new APIFailure('sandbox_failed', `This sandbox host cannot make sandboxes: ${this.problem}`);
    const ready = this.#warm.findIndex((s) => s.record.hosts.length === hostCount);
    if (ready !== -1) {
      const [session] = this.#warm.splice(ready, 1);
      this.#hand(session, lab);
      this.refillWarmPool();
      return { session, warm: true };
    }
    while (this.usedHosts + hostCount > this.capacity && this.#warm.length > 0) {
      // A learner waiting beats a session nobody asked for yet.
      await this.#remove(this.#warm.shift()!, terminalNotices.sessionDeleted, 'evicted');
    }
    if (this.usedHosts + hostCount > this.capacity) throw new APIFailure('capacity_exhausted', 'This sandbox host is full.');
    let session: LiveSession;
    try {
      session = await this.#start(hostCount);
    } catch (error) {
      // Expected in the sense that machines fail: the control plane tells the learner and logs why.
      throw new APIFailure('sandbox_failed', `The sandbox host could not start a session: ${oneLine(error)}`);
    }
    this.#hand(session, lab);
    return { session, warm: false };
  }

  extend(id: string, seconds?: number): LiveSession {
    const session = this.get(id);
    const now = this.now();
    const added = seconds === undefined ? this.limits.extensionMs : seconds * 1000;
    // Never more than one full time limit ahead, however often it is extended.
    session.expiresAt = Math.min(Math.max(session.expiresAt, now) + added, now + this.limits.timeLimitMs);
    this.log({ event: 'session.extended', session: id, expiresAt: new Date(session.expiresAt).toISOString() });
    return session;
  }

  async delete(id: string): Promise<void> {
    await this.#remove(this.get(id), terminalNotices.sessionDeleted, 'deleted');
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
          const session = await this.#start(next);
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

  async #start(hostCount: number): Promise<LiveSession> {
    this.#reservedHosts += hostCount;
    try {
      const record = await this.sessions.create(hostCount, randomBytes(4).toString('hex'), this.#onPhase);
      return new LiveSession(this, record, this.now());
    } finally {
      this.#reservedHosts -= hostCount;
    }
  }

  #hand(session: LiveSession, lab: string | undefined): void {
    session.assign(this.now(), lab);
    this.#assigned.set(session.id, session);
  }

  async #remove(session: LiveSession, notice: readonly string[], outcome: string): Promise<void> {
    this.#assigned.delete(session.id);
    this.#warm = this.#warm.filter((s) => s !== session);
    session.end(notice);
    await this.sessions.destroy(session.record);
    this.log({ event: 'session.removed', session: session.id, outcome });
  }
}
