// `npm run bench:host`: how fast a sandbox host starts (and where a cold start's time goes), how much
// memory an idle one holds, and how a learner's commands fare while a neighbour abuses their own
// sandbox; measured on this machine with real daemons through the agent's API (run as root).
import { readFile } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import { sessionSchema, type Session } from '../../protocol/agent.ts';
import { labs } from '../../src/labs/index.ts';
import { createAgentApp } from '../agent/app.ts';
import { LiveSessions } from '../agent/live-sessions.ts';
import { serveAgent, type AgentServer } from '../agent/server.ts';
import { checkMachine, startMachineServices } from '../machine/machine.ts';
import { chargeSharedFilesToMachine } from '../machine/shared-files.ts';
import type { CreatePhase, SandboxHostRecord } from '../sandbox/sandbox-host.ts';
import { controlPlaneToken, testAgentID, testControlPlaneKeys } from '../test-support/control-plane-token.ts';
import { openTerminal } from '../test-support/terminal-client.ts';
import { imageStateDir, learnerShell, sandboxSessions, testConfig } from '../test-support/test-machine.ts';

const runs = Number(process.argv[2] ?? 5);
const idleHosts = Number(process.argv[3] ?? 4);

await checkMachine(testConfig, { capacity: idleHosts + 2 });
const services = await startMachineServices(testConfig, { imageStateDir });
await chargeSharedFilesToMachine();
const authorization = async (method: string, url: string) => `Bearer ${await controlPlaneToken(method, url)}`;

/**
 * Milliseconds from the control plane's `POST /sessions` to the prompt of host1's shell arriving
 * over the terminal WebSocket: what a learner waits for after pressing Start, minus the browser.
 */
async function createToPrompt(server: AgentServer): Promise<{ ms: number; createdMs: number; session: Session }> {
  const start = performance.now();
  const response = await fetch(`${server.url}/sessions`, {
    method: 'POST',
    headers: { authorization: await authorization('POST', '/sessions'), 'content-type': 'application/json' },
    body: JSON.stringify({ hostCount: 1 }),
  });
  const session = sessionSchema.parse(await response.json());
  const createdMs = performance.now() - start;
  const terminalURL = `${server.url.replace('http', 'ws')}/sessions/${session.id}/hosts/host1/terminal`;
  const terminal = await openTerminal(terminalURL, { authorization: await authorization('GET', terminalURL) });
  await terminal.waitFor(/host1.*\$ /);
  const ms = performance.now() - start;
  terminal.close();
  return { ms, createdMs, session };
}

/** A cold start's steps, in order; `api` is the rest of POST /sessions, `shell` the prompt after it. */
const phaseNames: (CreatePhase | 'api' | 'shell')[] = ['certificates', 'user', 'disk', 'files', 'network', 'cgroup', 'namespaces', 'daemon', 'api', 'shell'];

async function measureStarts(warm: boolean): Promise<{ times: number[]; phases: Map<string, number[]> }> {
  const phases = new Map<string, number[]>(phaseNames.map((name) => [name, []]));
  let current = new Map<string, number>();
  const live = new LiveSessions({
    sessions: sandboxSessions,
    capacity: 2,
    warmPool: warm ? { 1: 1 } : {},
    log: () => undefined,
    onPhase: (phase, ms) => current.set(phase, ms),
  });
  const server = await serveAgent(createAgentApp({ agentID: testAgentID, controlPlaneKey: testControlPlaneKeys.publicKey, live, labs }), '127.0.0.1', 0);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await live.refillWarmPool();
    current = new Map();
    const { ms, createdMs, session } = await createToPrompt(server);
    times.push(ms);
    if (!warm) {
      const inCreate = [...current.values()].reduce((sum, value) => sum + value, 0);
      current.set('api', createdMs - inCreate);
      current.set('shell', ms - createdMs);
      for (const [name, value] of current) phases.get(name)?.push(value);
    }
    await live.delete(session.id);
  }
  await server.close();
  await live.close();
  return { times, phases };
}

/** Milliseconds of `docker run --rm busybox echo hi` in a learner's host, `count` times. */
async function runEcho(host: SandboxHostRecord, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const result = await learnerShell(host, 'docker run --rm busybox echo hi', 120_000);
    if (result.stdout.trim() !== 'hi') throw new Error(`docker run in the quiet sandbox failed: ${result.stderr}`);
    times.push(performance.now() - start);
  }
  return times;
}

/**
 * A learner's `docker run --rm busybox echo hi` on a quiet machine, then while another learner runs
 * a fork bomb, a memory bomb and a CPU spin in their own sandbox.
 */
/** A one-host session's host, for measurements that need it to exist. */
async function newHost(live: LiveSessions): Promise<SandboxHostRecord> {
  const created = await live.create(1);
  if (!created.ok) throw new Error(`the benchmark could not start a sandbox host: ${created.message}`);
  return created.value.session.record.hosts[0];
}

async function measureNeighbour(): Promise<{ quiet: number[]; abused: number[] }> {
  const live = new LiveSessions({ sessions: sandboxSessions, capacity: 2, log: () => undefined });
  const [abuser, learner] = [await newHost(live), await newHost(live)];
  await learnerShell(learner, 'docker pull -q busybox >/dev/null');
  await learnerShell(abuser, 'docker pull -q busybox >/dev/null');
  const quiet = await runEcho(learner, runs);
  const abuse = learnerShell(
    abuser,
    [
      // Two CPU spins and a container that keeps allocating past the memory cap, over and over.
      'docker run -d --name spin busybox sh -c "while :; do :; done & while :; do :; done" >/dev/null',
      'docker run -d --name bomb busybox sh -c "while :; do head -c 4000000000 /dev/zero | tail; done" >/dev/null',
      // The classic fork bomb, in the learner's own shell, for the rest of the measurement.
      'timeout 120 bash -c \':(){ :|:& };:\' 2>/dev/null',
    ].join('; '),
    180_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 5_000)); // let the abuse reach its caps
  const abused = await runEcho(learner, runs);
  await live.close(); // kills the abuse with the sandbox
  await abuse;
  return { quiet, abused };
}

/** Proportional set size of every process of a host, in bytes. */
async function hostPSS(host: SandboxHostRecord): Promise<number> {
  const pids = (await readFile(`/sys/fs/cgroup/pids/doca/${host.id}/cgroup.procs`, 'utf8')).split('\n').filter(Boolean);
  let total = 0;
  for (const pid of pids) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    total += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
  }
  return total;
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1)! };
};
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

const { times: starts, phases } = await measureStarts(false);
const { times: warmStarts } = await measureStarts(true);
const neighbour = await measureNeighbour();

const idle = new LiveSessions({ sessions: sandboxSessions, capacity: idleHosts, log: () => undefined });
const hosts: SandboxHostRecord[] = [];
for (let i = 0; i < idleHosts; i++) hosts.push(await newHost(idle));
await new Promise((resolve) => setTimeout(resolve, 3_000)); // let the daemons settle
const pss = await Promise.all(hosts.map(hostPSS));
const destroyStart = performance.now();
await idle.close();
const destroyMs = (performance.now() - destroyStart) / hosts.length;
await services.stop();

const cold = stats(starts);
const warm = stats(warmStarts);
const idlePSS = stats(pss);
const budget = totalmem() * 0.8 - (totalmem() - freemem());
const range = (s: { median: number; min: number; max: number }) => `median ${s.median.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`;
console.log(`Sandbox host benchmark (${runs} starts each way, ${idleHosts} idle hosts; agent API + terminal WebSocket)`);
console.log(`cold: POST /sessions → shell prompt: ${range(cold)} — target ≤ 1500 ms`);
console.log(`  where a cold start goes (median ms): ${phaseNames.map((name) => `${name} ${stats(phases.get(name)!).median?.toFixed(0) ?? '–'}`).join(', ')}`);
console.log(`warm pool: POST /sessions → shell prompt: ${range(warm)} — target ≤ 300 ms`);
const quiet = stats(neighbour.quiet);
const abused = stats(neighbour.abused);
console.log(`neighbour: docker run --rm busybox echo hi, quiet ${range(quiet)}; while another sandbox runs a fork bomb, a memory bomb and a CPU spin ${range(abused)} — ${(abused.median / quiet.median).toFixed(2)}× (target ≤ 2×)`);
console.log(`idle host PSS: median ${mib(idlePSS.median)} (min ${mib(idlePSS.min)}, max ${mib(idlePSS.max)}) — target ≤ 100 MiB`);
console.log(`idle hosts this machine holds before 80 % memory: ~${Math.floor(budget / idlePSS.median)} (${mib(budget)} free below 80 % of ${mib(totalmem())})`);
console.log(`destroy: ${destroyMs.toFixed(0)} ms per idle host`);
