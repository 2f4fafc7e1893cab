// One learner's session as the agent holds it: a terminal per host, the hosts' Docker events and the
// API calls their daemons answered, the commands their shells ran and the path each took, the lab's
// checks, its clocks, and the restart of a daemon the learner stopped.
import { spawn as spawnPty } from 'node-pty';
import type { Session } from '../../protocol/agent.ts';
import { factOf } from '../../protocol/events.ts';
import type { TerminalServerMessage } from '../../protocol/terminal.ts';
import { followEngineEvents, type EngineEventFollower } from '../events/engine-events.ts';
import { SessionEventLog } from '../events/session-event-log.ts';
import { LabChecks } from '../checks/lab-checks.ts';
import { engineStateReader } from '../checks/state-reader.ts';
import { CommandFlows } from '../flow/command-flows.ts';
import type { StateReader } from '../../src/labs/checks/state-conditions.ts';
import type { ShellMark } from '../terminal/shell-marks.ts';
import type { SandboxHostRecord } from '../sandbox/sandbox-host.ts';
import type { SessionRecord } from '../sandbox/session.ts';
import { engineStatus, isAgentCall, learnerSocket } from '../system/docker-engine.ts';
import { HostTerminal } from '../terminal/host-terminal.ts';
import type { SessionActivity } from './activity-reporter.ts';
import type { LiveSessions } from './live-sessions.ts';
import { noticeText, terminalNotices } from './messages.ts';

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
  /** The name the control plane gave the session when it asked for it. */
  key: string | undefined;
  /** The lab's checks, once the session is a lab's. */
  checks: LabChecks | undefined;
  /** Where the lab's steps and commands go as they happen, for the learner's class. */
  #activity: SessionActivity | undefined;
  #owner: LiveSessions;
  #followers = new Map<string, EngineEventFollower>();
  /** Stops hearing each host's daemon's API calls. */
  #apiCallWatches = new Map<string, () => void>();
  #stopFeedingChecks: (() => void) | undefined;
  /** The path each command took, drawn in the lab panel. */
  readonly flows: CommandFlows;
  #stopFeedingFlows: () => void;
  /** Read-only views of the hosts' state, for the checks and the flows' published ports. */
  #state: StateReader;
  #restarts = new Map<string, number[]>();
  #ended = new AbortController();

  constructor(owner: LiveSessions, record: SessionRecord, now: number) {
    this.#owner = owner;
    this.record = record;
    this.createdAt = this.lastInputAt = now;
    this.expiresAt = now + owner.limits.timeLimitMs;
    this.#state = engineStateReader(record.hosts);
    // The flows compare their commands' times with the daemons' log and event times: the real clock.
    this.flows = new CommandFlows({
      onChange: (flow) => this.#tellTerminals({ type: 'flow', flow }),
      onContainerStarted: (flow, host, name) => void this.#readPorts(flow, host, name),
    });
    this.#stopFeedingFlows = this.events.subscribe((event) => {
      const fact = factOf(event);
      if (fact) this.flows.fact(fact, event.time);
    });
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
          onShellMark: (mark) => this.#shellMarked(host.name, mark),
          onWatchersChanged: () => this.#watchersChanged(),
          greeting: () => [
            ...(this.checks ? [{ type: 'progress', steps: this.checks.progress() } as const] : []),
            ...this.flows.latest().map((flow) => ({ type: 'flow', flow }) as const),
          ],
          log: owner.log,
        }),
      );
      // From the daemon's start: it keeps only its last 256 events, and checks need all of them.
      this.#follow(host, BigInt(Date.parse(host.createdAt) - 1_000) * 1_000_000n);
      this.#watchAPICalls(host);
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
      key: this.key ?? null,
      hosts: this.record.hosts.map((host) => ({ name: host.name, address: host.address })),
      createdAt: iso(this.createdAt),
      expiresAt: iso(this.expiresAt),
      lastInputAt: iso(this.lastInputAt),
      idleUntil: iso(this.lastInputAt + this.#owner.limits.idleLimitMs),
    };
  }

  /** Gives a (possibly warm) session to a learner: its clocks start now. */
  assign(now: number, lab: string | undefined, key: string | undefined): void {
    this.lab = lab;
    this.key = key;
    this.createdAt = this.lastInputAt = now;
    this.expiresAt = now + this.#owner.limits.timeLimitMs;
    const definition = lab === undefined ? undefined : this.#owner.labs.get(lab);
    if (definition) {
      const checks = new LabChecks(definition, this.#state, { log: (event) => this.#owner.log({ ...event, session: this.id }) });
      this.checks = checks;
      this.#stopFeedingChecks = this.events.subscribe((event) => checks.addEvent(event));
      // Every open terminal of the session hears the steps change, at once.
      const reported = new Set<string>();
      checks.subscribe((steps) => {
        this.#tellTerminals({ type: 'progress', steps });
        const passed = steps.filter((step) => step.status === 'passed' && !reported.has(step.step));
        if (passed.length === 0 || key === undefined || lab === undefined) return;
        passed.forEach((step) => reported.add(step.step));
        this.#owner.onStepsPassed?.({ key, lab, steps: passed });
      });
      if (key !== undefined) this.#activity = this.#owner.activity?.follow(key, checks);
      // A new session is checked once at once: the page says what the first step waits for.
      void checks.checkNow();
    }
  }

  /** The host named host1…host3, if the session has it. */
  findHost(name: string): SandboxHostRecord | undefined {
    return this.record.hosts.find((h) => h.name === name);
  }

  /** Stops everything that watches the session's hosts and ends its terminals. */
  end(notice: readonly string[]): void {
    this.#ended.abort();
    this.#stopFeedingChecks?.();
    this.#stopFeedingFlows();
    this.flows.close();
    this.#activity?.end();
    this.checks?.close();
    for (const stop of this.#apiCallWatches.values()) stop();
    this.#apiCallWatches.clear();
    for (const follower of this.#followers.values()) follower.close();
    this.#followers.clear();
    for (const terminal of this.terminals.values()) terminal.close(noticeText(notice));
  }

  /** The API calls the host's daemon answers, the agent's own left out, reach the lab's checks. */
  #watchAPICalls(host: SandboxHostRecord): void {
    this.#apiCallWatches.get(host.name)?.();
    const output = this.#owner.sessions.hosts.daemonOutput(host.id);
    if (!output) return;
    this.#apiCallWatches.set(
      host.name,
      output.onAPICall((call) => {
        if (isAgentCall(call.path)) return;
        this.checks?.addAPICall({ host: host.name, method: call.method, path: call.path });
        this.flows.request(host.name, call.method, call.path, call.time);
      }),
    );
  }

  /** Help mode: while anyone watches one of the session's terminals, each of the learner's says so (the page shows one banner). */
  #watchersChanged(): void {
    const watching = [...this.terminals.values()].some((terminal) => terminal.watcherCount > 0);
    for (const terminal of this.terminals.values()) terminal.showWatched(watching);
  }

  /** Every open terminal of the session hears it (the lab panel listens on each). */
  #tellTerminals(message: TerminalServerMessage): void {
    for (const terminal of this.terminals.values()) terminal.control(message);
  }

  /** A command started or ended in a host's shell: the flow draws it, and the lab's `command` checks see it end. */
  #shellMarked(host: string, mark: ShellMark): void {
    if (mark.kind === 'started') return this.flows.started(host, mark.command);
    const flow = this.flows.finished(host, mark.exitCode);
    if (!flow) return;
    this.checks?.addCommand({ host, command: flow.command, exitCode: mark.exitCode });
    this.#activity?.command(host, flow.command, mark.exitCode);
  }

  /** The ports the daemon published for a container a command started, read like the checks read (never the learner's calls). */
  async #readPorts(flow: Parameters<CommandFlows['ports']>[0], host: string, name: string): Promise<void> {
    try {
      const container = (await this.#state.containers(host)).find((candidate) => candidate.name === name);
      // The daemon lists a port once per address family (0.0.0.0 and ::): one mapping is one entry.
      const mappings = new Set((container?.ports ?? []).flatMap((port) => (port.hostPort === undefined ? [] : [`${port.hostPort}:${port.containerPort}`])));
      const ports = [...mappings].map((mapping) => {
        const [hostPort, containerPort] = mapping.split(':').map(Number);
        return { hostPort, containerPort };
      });
      if (!this.#ended.signal.aborted) this.flows.ports(flow, host, name, ports);
    } catch (error) {
      this.#owner.log({ event: 'flow.ports_unread', session: this.id, host, error: String(error) });
    }
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
    const terminal = this.terminals.get(host.name)!;
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
    this.checks?.addDaemonRestart({ host: host.name });
    this.#watchAPICalls(host);
    terminal.control({ type: 'daemon', state: 'running' });
    terminal.notice(noticeText(terminalNotices.daemonRestarted));
    this.#follow(host, resumeAfter);
  }
}
