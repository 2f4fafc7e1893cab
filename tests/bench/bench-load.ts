// `npm run bench:load` (root): a class at once, on the whole platform over loopback. N learners (30
// by default) each take a cookie, press Start, wait for host1's terminal through the control plane,
// run `docker run --rm hello-world` and end their session, all starting together. Printed: how many
// finished, their waits (Start → prompt) p50/p95, the last learner's time beside the ideal (learners
// ÷ sessions the agent holds at once × one learner's time alone), and the sandbox hosts left on the
// agent afterwards (orphans). Learners ask about their sessions as the lab page does.
//
// One learner's time alone is measured twice: on a platform without a warm pool (the session's
// hosts start cold, as they must for all but the first few of a class: the warm pool holds two
// sessions and refills behind the line) and with the warm pool. The ideal uses the cold time: an
// agent holding 6 sessions at once serves the class in 30 ÷ 6 rounds of a cold learner at best.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { labSessionSchema, sessionPollMs, type LabSession } from '../../protocol/control-plane.ts';
import { openTerminal } from '../../sandbox-hosts/test-support/terminal-client.ts';
import { benchAgentPort, benchAgentToken, benchBase, startPlatform, stopPlatform } from './platform.ts';

const learners = Number(process.argv[2] ?? 30);
const capacity = Number(process.argv[3] ?? 12);
/** The lab's hosts per session: how many sessions the agent holds at once. */
const hostsPerSession = 2;
const learnerTimeoutMs = 15 * 60_000;

interface LearnerRun {
  ok: boolean;
  waitMs: number;
  totalMs: number;
  /** The machine's CPU-seconds (all processes) spent from Start to prompt, on the command, and ending: only meaningful for a learner alone. */
  cpu?: { start: number; command: number; end: number };
  error?: string;
}

/** CPU-seconds this machine has spent busy since boot, all cores summed (/proc/stat, in USER_HZ = 1/100 s). */
function machineCPUSeconds(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
}

async function learner(): Promise<LearnerRun> {
  const started = performance.now();
  try {
    const me = await fetch(`${benchBase}/api/me`);
    const cookie = me.headers.get('set-cookie')!.split(';')[0];
    const headers = { cookie, origin: benchBase, 'content-type': 'application/json' };
    const pressed = performance.now();
    const cpuAtStart = machineCPUSeconds();
    let session: LabSession = labSessionSchema.parse(await (await fetch(`${benchBase}/api/sessions`, { method: 'POST', headers, body: JSON.stringify({ lab: 'arquitetura' }) })).json());
    while (session.state === 'queued' || session.state === 'starting') {
      if (performance.now() - started > learnerTimeoutMs) throw new Error(`still ${session.state}`);
      await new Promise((resolve) => setTimeout(resolve, sessionPollMs.waiting));
      session = labSessionSchema.parse(await (await fetch(`${benchBase}/api/sessions/${session.id}`, { headers })).json());
    }
    if (session.state !== 'running') throw new Error(`session ended: ${session.endedReason}`);
    const terminal = await openTerminal(`${benchBase.replace('http', 'ws')}/api/sessions/${session.id}/hosts/host1/terminal`, { cookie, origin: benchBase });
    await terminal.waitFor(/host1.*\$ /, 60_000);
    const waitMs = performance.now() - pressed;
    const cpuAtPrompt = machineCPUSeconds();
    terminal.type('docker run --rm hello-world\r');
    await terminal.waitFor('The Docker client', 120_000);
    terminal.close();
    const cpuAtOutput = machineCPUSeconds();
    await fetch(`${benchBase}/api/sessions/${session.id}`, { method: 'DELETE', headers });
    const cpu = { start: cpuAtPrompt - cpuAtStart, command: cpuAtOutput - cpuAtPrompt, end: machineCPUSeconds() - cpuAtOutput };
    return { ok: true, waitMs, totalMs: performance.now() - started, cpu };
  } catch (error) {
    return { ok: false, waitMs: NaN, totalMs: performance.now() - started, error: (error as Error).message };
  }
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length - 1) * p))];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One learner alone on a platform without a warm pool: their session's hosts start cold. */
async function aloneCold(): Promise<LearnerRun> {
  const platform = await startPlatform({ warmPool: '', capacity });
  try {
    return await learner();
  } finally {
    await stopPlatform(platform);
  }
}

const cold = await aloneCold();
if (!cold.ok) throw new Error(`a learner alone (cold) did not finish: ${cold.error}`);
const platform = await startPlatform({ warmPool: '2:2', capacity });
let runs: LearnerRun[] = [];
let warm: LearnerRun | undefined;
let orphans = -1;
let classMs = NaN;
try {
  warm = await learner();
  if (!warm.ok) throw new Error(`a learner alone (warm) did not finish: ${warm.error}`);
  await new Promise((resolve) => setTimeout(resolve, 6_000)); // the warm pool refills
  const classStart = performance.now();
  runs = await Promise.all(Array.from({ length: learners }, () => learner()));
  classMs = performance.now() - classStart;
  // After the agent's next reports, it should hold no learner's session.
  await new Promise((resolve) => setTimeout(resolve, 12_000));
  const held = await (await fetch(`http://127.0.0.1:${benchAgentPort}/sessions`, { headers: { authorization: `Bearer ${await benchAgentToken('GET', '/sessions')}` } })).json();
  orphans = (held as unknown[]).length;
} finally {
  await stopPlatform(platform);
}

const finished = runs.filter((run) => run.ok);
const waits = finished.map((run) => run.waitMs);
const atOnce = Math.floor(capacity / hostsPerSession);
const ideal = (learners / atOnce) * cold.totalMs;
const last = waits.length ? Math.max(...finished.map((run) => run.totalMs)) : NaN;
console.log(`Load benchmark: ${learners} learners at once (cookie, Start, host1's terminal, docker run --rm hello-world, end); agent capacity ${capacity} hosts = ${atOnce} sessions at once; pages ask every ${sessionPollMs.waiting / 1000} s while waiting`);
console.log(`finished: ${finished.length}/${learners} — target ${learners}/${learners} (the class took ${seconds(classMs)})`);
for (const run of runs.filter((r) => !r.ok).slice(0, 5)) console.log(`  failed: ${run.error}`);
if (waits.length) console.log(`wait, Start → prompt: p50 ${seconds(percentile(waits, 0.5))}, p95 ${seconds(percentile(waits, 0.95))}, max ${seconds(Math.max(...waits))}`);
console.log(`one learner alone: ${seconds(cold.totalMs)} cold (wait ${seconds(cold.waitMs)}), ${seconds(warm!.totalMs)} from the warm pool (wait ${seconds(warm!.waitMs)})`);
console.log(`ideal for the last learner: ${learners} ÷ ${atOnce} × ${seconds(cold.totalMs)} (cold) = ${seconds(ideal)}; with the warm time it would be ${seconds((learners / atOnce) * warm!.totalMs)}`);
console.log(`last learner done after ${seconds(last)}: ${(last / ideal).toFixed(2)}× the ideal — target ≤ 1.5×`);
// The ideal takes 6 sessions starting at once to be as quick as one alone. A cold start is CPU work:
// what one learner costs the machine bounds a class from below too.
const perLearner = cold.cpu!.start + cold.cpu!.command + cold.cpu!.end;
const cpuFloor = (learners * perLearner * 1000) / availableParallelism();
console.log(`one learner alone cost the machine ${perLearner.toFixed(1)} CPU-seconds (hosts starting ${cold.cpu!.start.toFixed(1)}, the command ${cold.cpu!.command.toFixed(1)}, ending ${cold.cpu!.end.toFixed(1)}); ${learners} of them on ${availableParallelism()} cores take at least ${seconds(cpuFloor)}: the last learner came ${(last / cpuFloor).toFixed(2)}× that`);
console.log(`orphaned sessions on the agent afterwards: ${orphans} — target 0`);
