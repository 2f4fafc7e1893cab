// `npm run bench:host`: how fast a sandbox host starts and how much memory an idle one holds,
// measured on this machine with real daemons through the agent's API (run as root).
import { readFile } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import { sessionSchema, type Session } from '../../protocol/agent.ts';
import { labs } from '../../src/labs/index.ts';
import { createAgentApp } from '../agent/app.ts';
import { LiveSessions } from '../agent/live-sessions.ts';
import { serveAgent, type AgentServer } from '../agent/server.ts';
import { startMachineServices } from '../machine/machine.ts';
import type { SandboxHostRecord } from '../sandbox/sandbox-host.ts';
import { controlPlaneToken, testAgentID, testAgentSecret } from '../test-support/control-plane-token.ts';
import { openTerminal } from '../test-support/terminal-client.ts';
import { imageStateDir, sandboxSessions, testConfig } from '../test-support/test-machine.ts';

const runs = Number(process.argv[2] ?? 5);
const idleHosts = Number(process.argv[3] ?? 4);

const services = await startMachineServices(testConfig, { imageStateDir });
const authorization = async () => `Bearer ${await controlPlaneToken()}`;

/**
 * Milliseconds from the control plane's `POST /sessions` to the prompt of host1's shell arriving
 * over the terminal WebSocket: what a learner waits for after pressing Start, minus the browser.
 */
async function createToPrompt(server: AgentServer): Promise<{ ms: number; session: Session }> {
  const start = performance.now();
  const response = await fetch(`${server.url}/sessions`, {
    method: 'POST',
    headers: { authorization: await authorization(), 'content-type': 'application/json' },
    body: JSON.stringify({ hostCount: 1 }),
  });
  const session = sessionSchema.parse(await response.json());
  const terminal = await openTerminal(`${server.url.replace('http', 'ws')}/sessions/${session.id}/hosts/host1/terminal`, { authorization: await authorization() });
  await terminal.waitFor(/host1.*\$ /);
  const ms = performance.now() - start;
  terminal.close();
  return { ms, session };
}

async function measureStarts(warm: boolean): Promise<number[]> {
  const live = new LiveSessions({ sessions: sandboxSessions, capacity: 2, warmPool: warm ? { 1: 1 } : {}, log: () => undefined });
  const server = await serveAgent(createAgentApp({ agentID: testAgentID, secret: testAgentSecret, live, labs }), '127.0.0.1', 0);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await live.refillWarmPool();
    const { ms, session } = await createToPrompt(server);
    times.push(ms);
    await live.delete(session.id);
  }
  await server.close();
  await live.close();
  return times;
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

const starts = await measureStarts(false);
const warmStarts = await measureStarts(true);

const idle = new LiveSessions({ sessions: sandboxSessions, capacity: idleHosts, log: () => undefined });
const hosts: SandboxHostRecord[] = [];
for (let i = 0; i < idleHosts; i++) hosts.push(...(await idle.create(1)).session.record.hosts);
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
console.log(`warm pool: POST /sessions → shell prompt: ${range(warm)} — target ≤ 300 ms`);
console.log(`idle host PSS: median ${mib(idlePSS.median)} (min ${mib(idlePSS.min)}, max ${mib(idlePSS.max)}) — target ≤ 100 MiB`);
console.log(`idle hosts this machine holds before 80 % memory: ~${Math.floor(budget / idlePSS.median)} (${mib(budget)} free below 80 % of ${mib(totalmem())})`);
console.log(`destroy: ${destroyMs.toFixed(0)} ms per idle host`);
