// Builds, for each command a learner's shell runs, the path it took through Docker's architecture
// (protocol/flow.ts) from what really happened: the shell's marks (the command, its end), the API
// calls each daemon logged, and the Engine's events. A call or an event belongs to the command
// whose run covers its time: first one typed on the same host, else one typed on another host of
// the session (`docker -H tcp://host2:2376 …` from host1). Events reach the agent a little after the
// client has exited, so a finished command still takes what happened up to `lateMs` after its end;
// and the shell's mark that a command started travels through the pty while the daemon's log and
// events travel their own ways, so what arrives before any command covers it waits `lateMs` for one.
import { registryOf, maxFlowEntries, type CommandFlow, type FlowEntry } from '../../protocol/flow.ts';
import type { DockerFact } from '../../protocol/events.ts';

/** How long after its end a command still takes the calls and events its run caused. */
const lateMs = 1_000;
/** Commands kept per session (the page shows the latest ones). */
const keptFlows = 5;
/** Changes to a flow reach the page at most this often. */
const sendEveryMs = 50;
/** Calls and events kept while no command covers them. */
const maxEarly = 100;

export interface CommandFlowsOptions {
  /** A flow changed: send it to the page. */
  onChange: (flow: CommandFlow) => void;
  /** A command started a container: the caller reads the ports the daemon published for it (`ports`). */
  onContainerStarted?: (flow: CommandFlow, host: string, name: string) => void;
  now?: () => number;
}

export class CommandFlows {
  #flows: CommandFlow[] = [];
  #running = new Map<string, CommandFlow>();
  #nextId = 1;
  #changed = new Set<CommandFlow>();
  /** Calls and events no command covered yet, each with how to give it to one that does. */
  #early: { time: number; host: string; replay: () => void }[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #options: CommandFlowsOptions;
  #now: () => number;

  constructor(options: CommandFlowsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The latest flows, oldest first. */
  latest(): readonly CommandFlow[] {
    return this.#flows;
  }

  /** The shell on `host` started a command. */
  started(host: string, command: string): void {
    const flow: CommandFlow = { id: this.#nextId++, host, command, startedAt: this.#now(), entries: [], dropped: 0 };
    // A command still "running" on this host never finished (the shell was killed): it ends here.
    this.#running.delete(host);
    this.#running.set(host, flow);
    this.#flows.push(flow);
    if (this.#flows.length > keptFlows) this.#flows.shift();
    this.#add(flow, { kind: 'command', host, command });
    const now = this.#now();
    const early = this.#early.filter((entry) => entry.time >= now - lateMs);
    this.#early = [];
    for (const entry of early) entry.replay();
  }

  /** The shell on `host` is back at its prompt; returns the command that ended, if one was running. */
  finished(host: string, exitCode: number): CommandFlow | undefined {
    const flow = this.#running.get(host);
    if (!flow) return undefined;
    this.#running.delete(host);
    flow.finishedAt = this.#now();
    flow.exitCode = exitCode;
    this.#add(flow, { kind: 'result', host, exitCode });
    return flow;
  }

  /** A daemon (on `host`) answered an API call at `time`. */
  request(host: string, method: string, path: string, time: number): void {
    const flow = this.#flowAt(host, time);
    if (!flow) return this.#wait(host, time, () => this.request(host, method, path, time));
    // The client asks for a pull only when the daemon said it has no such image (`docker run`'s create got a 404).
    if (method === 'POST' && /^(\/v[\d.]+)?\/images\/create/.test(path)) {
      const asked = imageAskedFor(path);
      const created = flow.entries.some((entry) => entry.kind === 'request' && /\/containers\/create/.test(entry.path));
      if (asked && created) this.#add(flow, { kind: 'image-missing', host, image: asked });
    }
    this.#add(flow, { kind: 'request', host, method, path });
  }

  /** What an Engine event stands for, at `time`. */
  fact(fact: DockerFact, time: number): void {
    const drawn = fact.kind === 'pulled' || fact.kind === 'pushed' || (fact.kind === 'container' && ['create', 'start', 'die', 'destroy'].includes(fact.action));
    if (!drawn) return;
    const flow = this.#flowAt(fact.host, time);
    if (!flow) return this.#wait(fact.host, time, () => this.fact(fact, time));
    const { host } = fact;
    if (fact.kind === 'pulled' || fact.kind === 'pushed') {
      this.#add(flow, { kind: fact.kind === 'pulled' ? 'pull' : 'push', host, registry: registryOf(fact.image), image: fact.image });
      return;
    }
    if (fact.kind !== 'container' || fact.action === 'stop' || fact.action === 'kill') return;
    this.#add(flow, { kind: 'container', host, action: fact.action, name: fact.name, image: fact.image, ...(fact.exitCode === undefined ? {} : { exitCode: fact.exitCode }) });
    if (fact.action !== 'start') return;
    // An attached client (`docker run` without -d) asked to attach before the start: it now streams the output.
    const attached = flow.entries.some((entry) => entry.kind === 'request' && /\/containers\/[^/]+\/attach/.test(entry.path));
    if (attached) this.#add(flow, { kind: 'logs', host, name: fact.name });
    this.#options.onContainerStarted?.(flow, host, fact.name);
  }

  /** The ports the daemon published for a container the flow started: drawn before its start, as the daemon set them up first. */
  ports(flow: CommandFlow, host: string, name: string, ports: readonly { hostPort: number; containerPort: number }[]): void {
    if (ports.length === 0 || !this.#flows.includes(flow)) return;
    const start = flow.entries.findIndex((entry) => entry.kind === 'container' && entry.action === 'start' && entry.name === name);
    const entries: FlowEntry[] = ports.map((port) => ({ kind: 'port', host, name, ...port }));
    if (start === -1 || flow.entries.length + entries.length > maxFlowEntries) return;
    flow.entries.splice(start, 0, ...entries);
    this.#touch(flow);
  }

  close(): void {
    this.#early = [];
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#changed.clear();
  }

  /** Keeps what no command covers yet, for a command whose start mark is still on its way (bounded, newest kept). */
  #wait(host: string, time: number, replay: () => void): void {
    const now = this.#now();
    this.#early = this.#early.filter((entry) => entry.time >= now - lateMs).slice(-(maxEarly - 1));
    this.#early.push({ time, host, replay });
  }

  /** The command whose run covers `time`: one typed on `host` first, else the latest typed elsewhere. */
  #flowAt(host: string, time: number): CommandFlow | undefined {
    const covers = (flow: CommandFlow) => time >= flow.startedAt - lateMs && (flow.finishedAt === undefined || time <= flow.finishedAt + lateMs);
    const candidates = this.#flows.filter(covers);
    return candidates.findLast((flow) => flow.host === host) ?? candidates.findLast((flow) => flow.finishedAt === undefined) ?? candidates.at(-1);
  }

  /** Adds an entry, before the client's result when the daemon's events arrive after it; a full flow counts it as dropped. */
  #add(flow: CommandFlow, entry: FlowEntry): void {
    if (flow.entries.length >= maxFlowEntries) flow.dropped++;
    else if (flow.entries.at(-1)?.kind === 'result') flow.entries.splice(flow.entries.length - 1, 0, entry);
    else flow.entries.push(entry);
    this.#touch(flow);
  }

  #touch(flow: CommandFlow): void {
    this.#changed.add(flow);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const changed = [...this.#changed];
      this.#changed.clear();
      for (const each of changed) this.#options.onChange(each);
    }, sendEveryMs);
  }
}

/** `POST /images/create?fromImage=postgres&tag=latest` → `postgres:latest`. */
function imageAskedFor(path: string): string | undefined {
  const query = path.indexOf('?');
  if (query === -1) return undefined;
  const parameters = new URLSearchParams(path.slice(query + 1, query + 1 + 512));
  const from = parameters.get('fromImage');
  if (!from) return undefined;
  const tag = parameters.get('tag');
  return tag && !from.includes(':') && !from.includes('@') ? `${from}:${tag}` : from;
}
