// The whole platform for a test, from real parts: the control plane in wrangler dev (workerd, D1,
// Durable Objects) started by `scripts/start.mjs --site-only` on its own port and local state, and
// sandbox-host agents run as their own processes (root), on their own bridges, ports and state,
// which a test can stop, kill outright and start again. Learners are HTTP and WebSocket clients
// that do what the lab page does.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { labSessionSchema, learnerProgressSchema, sessionPollMs, type LabSession } from '../../protocol/control-plane.ts';
import { signAgentToken } from '../../protocol/tokens.ts';
import { newKeyPair } from '../../scripts/keys.mjs';
import { openTerminal, type TestTerminal } from '../../sandbox-hosts/test-support/terminal-client.ts';

type KeyPair = ReturnType<typeof newKeyPair>;

const root = new URL('../../', import.meta.url).pathname;

/** Lines a process printed, kept for waiting on and for a failing test's message. */
class ProcessOutput {
  readonly lines: string[] = [];
  #waiters: (() => void)[] = [];

  constructor(child: ChildProcess) {
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.lines.push(line);
        this.#waiters.splice(0).forEach((wake) => wake());
      });
    }
    child.once('exit', () => this.#waiters.splice(0).forEach((wake) => wake()));
  }

  /** Resolves once a line (from `from` on) matches; throws after `timeoutMs` or when the process has exited. */
  async waitFor(pattern: RegExp, child: ChildProcess, from = 0, timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.slice(from).find((l) => pattern.test(l));
      if (line) return line;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${this.lines.slice(-20).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in ${timeoutMs} ms:\n${this.lines.slice(-20).join('\n')}`);
      await new Promise<void>((wake) => {
        this.#waiters.push(wake);
        setTimeout(wake, 250);
      });
    }
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface AgentSpec {
  id: string;
  port: number;
  bridge: string;
  bridgeAddress: string;
  capacity: number;
  warmPool?: string;
}

/** A sandbox-host agent process the test runs, stops and starts again. */
export class AgentProcess {
  readonly spec: AgentSpec;
  readonly keys: KeyPair = newKeyPair();
  readonly stateDir: string;
  #platform: Platform;
  #child: ChildProcess | undefined;
  #output: ProcessOutput | undefined;

  constructor(platform: Platform, spec: AgentSpec) {
    this.#platform = platform;
    this.spec = spec;
    this.stateDir = `/var/lib/doca-${spec.id}`;
  }

  /** Starts it and waits until it has reported to the control plane (its self-test passed). */
  async start(): Promise<void> {
    const child = spawn('setpriv', ['--pdeathsig', 'SIGTERM', process.execPath, join(root, 'sandbox-hosts/agent/main.ts')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DOCA_AGENT_ID: this.spec.id,
        DOCA_AGENT_PORT: String(this.spec.port),
        DOCA_AGENT_KEY: JSON.stringify(this.keys.privateKey),
        DOCA_CONTROL_PLANE_KEY: JSON.stringify(this.#platform.controlPlaneKeys.publicKey),
        DOCA_CONTROL_PLANE_URL: this.#platform.base,
        DOCA_AGENT_CAPACITY: String(this.spec.capacity),
        DOCA_WARM_POOL: this.spec.warmPool ?? '',
        DOCA_BRIDGE: this.spec.bridge,
        DOCA_BRIDGE_ADDRESS: this.spec.bridgeAddress,
        DOCA_STATE_DIR: this.stateDir,
        DOCA_MIRROR_DIR: '/var/lib/doca/mirror',
        DOCA_HOST_MEMORY: '1g',
        DOCA_HOST_DISK: '3g',
      },
    });
    this.#child = child;
    this.#output = new ProcessOutput(child);
    await this.#output.waitFor(/"event":"heartbeat\.reporting"/, child);
  }

  /** The lines it printed since it started, parsed where they are JSON events. */
  events(name: string): Record<string, unknown>[] {
    return (this.#output?.lines ?? [])
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((event) => event.event === name);
  }

  /** A clean stop (SIGTERM: it removes its sandbox hosts), or `SIGKILL`: gone at once, everything left behind. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill(signal);
    await exited(child);
    this.#child = undefined;
  }

  /** Calls its API as the control plane does. */
  async call(method: string, path: string): Promise<Response> {
    const token = await signAgentToken(JSON.stringify(this.#platform.controlPlaneKeys.privateKey), this.spec.id, { method, path });
    return fetch(`http://127.0.0.1:${this.spec.port}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  }
}

export class Platform {
  readonly port: number;
  readonly base: string;
  readonly controlPlaneKeys: KeyPair = newKeyPair();
  readonly agents: AgentProcess[];
  #child: ChildProcess | undefined;
  #state = mkdtempSync(join(tmpdir(), 'doca-platform-'));

  /** Control-plane settings for this run (the abuse limits of wrangler.toml [vars]). */
  readonly settings: Record<string, string>;

  constructor(port: number, agents: AgentSpec[], settings: Record<string, string> = {}) {
    this.settings = settings;
    this.port = port;
    this.base = `http://127.0.0.1:${port}`;
    this.agents = agents.map((spec) => new AgentProcess(this, spec));
  }

  /** The control plane (with the built site), then every agent, each reporting. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [join(root, 'scripts/start.mjs'), '--no-build', '--site-only'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`,
        PORT: String(this.port),
        DOCA_LOCAL_STATE: this.#state,
        CONTROL_PLANE_KEY: JSON.stringify(this.controlPlaneKeys.privateKey),
        AGENT_KEYS: JSON.stringify(Object.fromEntries(this.agents.map((agent) => [agent.spec.id, agent.keys.publicKey]))),
        ...this.settings,
      },
    });
    this.#child = child;
    const output = new ProcessOutput(child);
    const deadline = Date.now() + 120_000;
    while (!(await fetch(`${this.base}/api/health`).then((r) => r.ok, () => false))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`The control plane did not start:\n${output.lines.slice(-20).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const agent of this.agents) await agent.start();
  }

  async stop(): Promise<void> {
    for (const agent of this.agents) await agent.stop();
    if (this.#child) {
      this.#child.kill('SIGTERM');
      await exited(this.#child);
    }
    rmSync(this.#state, { recursive: true, force: true });
  }

  /**
   * A learner with a cookie of their own, arriving from `address` (as Cloudflare's edge says in
   * CF-Connecting-IP; wrangler dev passes the header on), or undefined when the visit was refused.
   */
  async learner(name: string, address = '203.0.113.10'): Promise<Learner> {
    const learner = await this.visit(name, address);
    if (!learner.ok) throw new Error(`${name}'s first visit was refused: ${learner.status}`);
    return learner.learner;
  }

  /** A first visit: the learner, or the status it was refused with. */
  async visit(name: string, address: string): Promise<{ ok: true; learner: Learner } | { ok: false; status: number }> {
    const me = await fetch(`${this.base}/api/me`, { headers: { 'cf-connecting-ip': address } });
    const cookie = me.headers.get('set-cookie')?.split(';')[0];
    if (!me.ok || !cookie) return { ok: false, status: me.status };
    return { ok: true, learner: new Learner(this, name, cookie, address) };
  }
}

/** A learner's page: presses Start, asks about the session as the page does, opens host terminals. */
export class Learner {
  readonly name: string;
  readonly #platform: Platform;
  readonly #headers: Record<string, string>;
  session: LabSession | undefined;

  constructor(platform: Platform, name: string, cookie: string, address: string) {
    this.#platform = platform;
    this.name = name;
    this.#headers = { cookie, origin: platform.base, 'content-type': 'application/json', 'cf-connecting-ip': address };
  }

  async start(lab = 'arquitetura'): Promise<LabSession> {
    const response = await this.press(lab);
    if (!response.ok) throw new Error(`${this.name}'s Start was refused: ${response.status} ${await response.text()}`);
    this.session = labSessionSchema.parse(await response.json());
    return this.session;
  }

  /** Presses Start and returns the answer as it came, refusals included. */
  press(lab = 'arquitetura'): Promise<Response> {
    return fetch(`${this.#platform.base}/api/sessions`, { method: 'POST', headers: this.#headers, body: JSON.stringify({ lab }) });
  }

  /** Calls the control plane as the learner's page does (their cookie, the site's origin). */
  call(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.#platform.base}${path}`, { method, headers: this.#headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  /** The page asks once more. */
  async look(): Promise<LabSession> {
    const response = await fetch(`${this.#platform.base}/api/sessions/${this.session!.id}`, { headers: this.#headers });
    this.session = labSessionSchema.parse(await response.json());
    return this.session;
  }

  /** Asks as a waiting page does (every second) until the session is no longer queued or starting. */
  waitWhileWaiting(timeoutMs = 180_000): Promise<LabSession> {
    return this.waitUntil((session) => session.state !== 'queued' && session.state !== 'starting', timeoutMs);
  }

  /** Asks every second until the session is as `wanted` says. */
  async waitUntil(wanted: (session: LabSession) => boolean, timeoutMs: number): Promise<LabSession> {
    const deadline = Date.now() + timeoutMs;
    while (!wanted(this.session!)) {
      if (Date.now() > deadline) throw new Error(`${this.name}'s session is still ${this.session!.state} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, sessionPollMs.waiting));
      await this.look();
    }
    return this.session!;
  }

  /** A host's terminal through the control plane, at its prompt. */
  async terminal(host = 'host1'): Promise<TestTerminal> {
    const url = `${this.#platform.base.replace('http', 'ws')}/api/sessions/${this.session!.id}/hosts/${host}/terminal`;
    const terminal = await openTerminal(url, { cookie: this.#headers.cookie, origin: this.#platform.base, 'cf-connecting-ip': this.#headers['cf-connecting-ip'] });
    await terminal.waitFor(new RegExp(`${host}.*\\$ `), 60_000);
    return terminal;
  }

  /** The lab's steps the control plane keeps as passed for this learner. */
  async passedSteps(lab = 'arquitetura'): Promise<string[]> {
    const response = await fetch(`${this.#platform.base}/api/me/progress?lab=${lab}`, { headers: this.#headers });
    return learnerProgressSchema.parse(await response.json()).steps.map((step) => step.step);
  }

  async end(): Promise<LabSession> {
    const response = await fetch(`${this.#platform.base}/api/sessions/${this.session!.id}`, { method: 'DELETE', headers: this.#headers });
    this.session = labSessionSchema.parse(await response.json());
    return this.session;
  }
}
