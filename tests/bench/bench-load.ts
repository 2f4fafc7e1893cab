// `npm run bench:load` (root): a class at once, on the whole platform over loopback. N learners (30
// by default) each take a cookie, press Start, wait for host1's terminal through the control plane,
// run `docker run --rm hello-world` and end their session, all starting together. Printed: how many
// finished, their waits (Start → prompt) p50/p95, the last learner's wait beside the ideal (learners
// ÷ sessions the agent holds at once × one learner's time alone), and the sandbox hosts left on the
// agent afterwards (orphans).
import { labSessionSchema, type LabSession } from '../../protocol/control-plane.ts';
import { openTerminal } from '../../sandbox-hosts/test-support/terminal-client.ts';
import { benchAgentPort, benchAgentToken, benchBase, startPlatform, stopPlatform } from './platform.ts';

const learners = Number(process.argv[2] ?? 30);
const capacity = Number(process.argv[3] ?? 12);
/** The lab's hosts per session: how many sessions the agent holds at once. */
const hostsPerSession = 2;
const pollMs = 500;
const learnerTimeoutMs = 15 * 60_000;

interface LearnerRun {
  ok: boolean;
  waitMs: number;
  totalMs: number;
  error?: string;
}

async function learner(): Promise<LearnerRun> {
  const started = performance.now();
  try {
    const me = await fetch(`${benchBase}/api/me`);
    const cookie = me.headers.get('set-cookie')!.split(';')[0];
    const headers = { cookie, origin: benchBase, 'content-type': 'application/json' };
    const pressed = performance.now();
    let session: LabSession = labSessionSchema.parse(await (await fetch(`${benchBase}/api/sessions`, { method: 'POST', headers, body: JSON.stringify({ lab: 'arquitetura' }) })).json());
    while (session.state === 'queued' || session.state === 'starting') {
      if (performance.now() - started > learnerTimeoutMs) throw new Error(`still ${session.state}`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      session = labSessionSchema.parse(await (await fetch(`${benchBase}/api/sessions/${session.id}`, { headers })).json());
    }
    if (session.state !== 'running') throw new Error(`session ended: ${session.endedReason}`);
    const terminal = await openTerminal(`${benchBase.replace('http', 'ws')}/api/sessions/${session.id}/hosts/host1/terminal`, { cookie, origin: benchBase });
    await terminal.waitFor(/host1.*\$ /, 60_000);
    const waitMs = performance.now() - pressed;
    terminal.type('docker run --rm hello-world\r');
    await terminal.waitFor('The Docker client', 120_000);
    terminal.close();
    await fetch(`${benchBase}/api/sessions/${session.id}`, { method: 'DELETE', headers });
    return { ok: true, waitMs, totalMs: performance.now() - started };
  } catch (error) {
    return { ok: false, waitMs: NaN, totalMs: performance.now() - started, error: (error as Error).message };
  }
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length - 1) * p))];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const platform = await startPlatform({ warmPool: '2:2', capacity });
let runs: LearnerRun[] = [];
let alone: LearnerRun | undefined;
let orphans = -1;
try {
  // One learner alone first: the unit of the ideal.
  alone = await learner();
  if (!alone.ok) throw new Error(`a learner alone did not finish: ${alone.error}`);
  await new Promise((resolve) => setTimeout(resolve, 6_000)); // the warm pool refills
  const classStart = performance.now();
  runs = await Promise.all(Array.from({ length: learners }, () => learner()));
  console.log(`class finished in ${seconds(performance.now() - classStart)}`);
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
const ideal = (learners / atOnce) * alone!.totalMs;
const last = waits.length ? Math.max(...finished.map((run) => run.totalMs)) : NaN;
console.log(`Load benchmark: ${learners} learners at once (cookie, Start, host1's terminal, docker run --rm hello-world, end); agent capacity ${capacity} hosts = ${atOnce} sessions at once`);
console.log(`finished: ${finished.length}/${learners} — target ${learners}/${learners}`);
for (const run of runs.filter((r) => !r.ok).slice(0, 5)) console.log(`  failed: ${run.error}`);
if (waits.length) console.log(`wait, Start → prompt: p50 ${seconds(percentile(waits, 0.5))}, p95 ${seconds(percentile(waits, 0.95))}, max ${seconds(Math.max(...waits))}`);
console.log(`one learner alone: ${seconds(alone!.totalMs)} (wait ${seconds(alone!.waitMs)}); ideal for the last learner: ${learners} ÷ ${atOnce} × ${seconds(alone!.totalMs)} = ${seconds(ideal)}`);
console.log(`last learner done after ${seconds(last)}: ${(last / ideal).toFixed(2)}× the ideal — target ≤ 1.5×`);
console.log(`orphaned sessions on the agent afterwards: ${orphans} — target 0`);
