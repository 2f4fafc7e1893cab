// `npm run bench:host`: how fast a sandbox host starts and how much memory an idle one holds,
// measured on this machine with real daemons (run as root after the sandbox tests' setup).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import { ensureHostNetwork } from '../host/network.ts';
import { loadCertificateAuthority } from '../host/certificates.ts';
import type { SandboxHostRecord } from '../sandbox/sandbox-host.ts';
import { createTestHost, sandboxHosts, testConfig } from '../test-support/test-machine.ts';

const runs = Number(process.argv[2] ?? 5);
const idleHosts = Number(process.argv[3] ?? 4);

/** Milliseconds from asking for a host to its learner shell printing a prompt. */
async function coldStartToPrompt(): Promise<{ ms: number; host: SandboxHostRecord }> {
  const start = performance.now();
  const host = await createTestHost();
  const { file, args } = sandboxHosts.commandIn(host, ['bash', '--norc', '-i'], { PS1: 'doca-ready$ ' });
  const shell = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      if (chunk.toString().includes('doca-ready$')) resolve();
    };
    shell.stdout.on('data', onData);
    shell.stderr.on('data', onData); // bash -i prints its prompt on stderr
  });
  const ms = performance.now() - start;
  shell.kill('SIGKILL');
  return { ms, host };
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

await ensureHostNetwork(testConfig);
await loadCertificateAuthority(testConfig);
const starts: number[] = [];
for (let i = 0; i < runs; i++) {
  const { ms, host } = await coldStartToPrompt();
  starts.push(ms);
  await sandboxHosts.destroy(host.id);
}

const hosts: SandboxHostRecord[] = [];
for (let i = 0; i < idleHosts; i++) hosts.push((await coldStartToPrompt()).host);
await new Promise((resolve) => setTimeout(resolve, 3_000)); // let the daemons settle
const pss = await Promise.all(hosts.map(hostPSS));
const destroyStart = performance.now();
for (const host of hosts) await sandboxHosts.destroy(host.id);
const destroyMs = (performance.now() - destroyStart) / hosts.length;

const cold = stats(starts);
const idle = stats(pss);
const budget = totalmem() * 0.8 - (totalmem() - freemem());
console.log(`Sandbox host benchmark (${runs} cold starts, ${idleHosts} idle hosts)`);
console.log(`cold start → shell prompt: median ${cold.median.toFixed(0)} ms (min ${cold.min.toFixed(0)}, max ${cold.max.toFixed(0)}) — target ≤ 1500 ms`);
console.log('warm pool → shell prompt: not measured (no warm pool yet) — target ≤ 300 ms');
console.log(`idle host PSS: median ${mib(idle.median)} (min ${mib(idle.min)}, max ${mib(idle.max)}) — target ≤ 100 MiB`);
console.log(`idle hosts this machine holds before 80 % memory: ~${Math.floor(budget / idle.median)} (${mib(budget)} free below 80 % of ${mib(totalmem())})`);
console.log(`destroy: ${destroyMs.toFixed(0)} ms per idle host`);
