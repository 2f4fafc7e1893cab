// `npm run bench:class`: the instructor's side of a class on the control plane as `npm start
// --site-only` serves it (wrangler dev: workerd, D1, Durable Objects), over loopback. 60 learners
// join a class of every lab in the catalog (30 steps) and start each lab on a stand-in agent (this
// script, which answers the control plane as an agent does and signs its reports with its own key);
// each session reports all its steps through the activity route. Printed:
// - the grid load (GET /api/classes/:id): time and bytes, plain and gzip, at 60 learners × every step;
// - an activity report → the instructor's WebSocket receiving the learner's cell: p50/p95/max over
//   200 reports, one every 50 ms, spread over the 60 learners.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { activityReportPath, createdClassSchema, heartbeatPath, instructorSubprotocol, labSessionSchema, type ActivityReport, type ClassLiveMessage } from '../../protocol/index.ts';
import { signHeartbeatToken } from '../../protocol/tokens.ts';
import { newKeyPair } from '../../scripts/keys.mjs';
import { labs } from '../../src/labs/index.ts';

const learners = 60;
const reports = 200;
const reportEveryMs = 50;
const port = 8794;
const agentPort = 7076;
const base = `http://127.0.0.1:${port}`;
const agentID = 'bench-class';
const agentKeys = newKeyPair();
const state = mkdtempSync(join(tmpdir(), 'doca-bench-class-'));

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length - 1) * p))];
const ms = (value: number) => `${value.toFixed(1)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The stand-in agent: makes sessions on request, holds them, and reports to the control plane every 4 s. */
const held = new Map<string, { id: string; key: string; lab: string; hosts: { name: string; address: string }[]; createdAt: string; expiresAt: string; lastInputAt: string; idleUntil: string }>();
function answerAsAgent(request: IncomingMessage, response: ServerResponse) {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const reply = (status: number, json?: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(json === undefined ? undefined : JSON.stringify(json));
    const [, , id] = (request.url ?? '').split('/');
    if (request.method === 'POST' && request.url === '/sessions') {
      const { lab, key } = JSON.parse(body) as { lab: string; key: string };
      const now = Date.now();
      const made = [...held.values()].find((session) => session.key === key) ?? {
        id: key.slice(0, 8),
        key,
        lab,
        hosts: Array.from({ length: labs.get(lab)!.hosts }, (_, h) => ({ name: `host${h + 1}`, address: `10.0.0.${10 + h}` })),
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 7_200_000).toISOString(),
        lastInputAt: new Date(now).toISOString(),
        idleUntil: new Date(now + 1_800_000).toISOString(),
      };
      held.set(made.id, made);
      return reply(201, made);
    }
    const session = held.get(id ?? '');
    if (!session) return reply(404, { error: { code: 'session_not_found', message: 'no session' } });
    if (request.method === 'DELETE') return held.delete(session.id) && reply(204);
    return reply(200, session);
  });
}

async function signed(path: string) {
  return `Bearer ${await signHeartbeatToken(JSON.stringify(agentKeys.privateKey), agentID, { binding: { method: 'POST', path } })}`;
}

async function heartbeat() {
  const body = { url: `http://127.0.0.1:${agentPort}`, bootID: 'bench-class-boot-1', problem: null, capacity: 1000, used: held.size, warm: 0, sessions: [...held.values()].map((s) => s.key) };
  await fetch(`${base}${heartbeatPath(agentID)}`, { method: 'POST', headers: { authorization: await signed(heartbeatPath(agentID)), 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function startControlPlane(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['scripts/start.mjs', '--site-only', '--no-build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PATH: `${process.cwd()}/node_modules/.bin:${process.env.PATH}`,
      PORT: String(port),
      DOCA_LOCAL_STATE: state,
      AGENT_KEYS: JSON.stringify({ [agentID]: agentKeys.publicKey }),
      // One address brings the whole class here.
      LEARNERS_PER_ADDRESS_PER_MINUTE: '1000',
      LIVE_SESSIONS_PER_ADDRESS: '1000',
    },
  });
  const deadline = Date.now() + 120_000;
  while (!(await fetch(`${base}/api/health`).then((r) => r.ok).catch(() => false))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the control plane did not start');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return child;
}

/** GET with the instructor's secret, counting the bytes that crossed the wire. */
function gridLoad(classID: string, secret: string, encoding: 'gzip' | 'identity'): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    get(`${base}/api/classes/${classID}`, { headers: { authorization: `Bearer ${secret}`, 'accept-encoding': encoding } }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => (response.statusCode === 200 ? resolve({ ms: performance.now() - started, bytes }) : reject(new Error(`grid answered ${response.statusCode}`))));
    }).on('error', reject);
  });
}

async function measureGrid(classID: string, secret: string, label: string) {
  const runs = { gzip: [] as { ms: number; bytes: number }[], identity: [] as { ms: number; bytes: number }[] };
  for (let i = 0; i < 10; i++) for (const encoding of ['gzip', 'identity'] as const) runs[encoding].push(await gridLoad(classID, secret, encoding));
  const times = runs.gzip.map((run) => run.ms);
  console.log(`grid load, ${label}: p50 ${ms(percentile(times, 0.5))}, max ${ms(Math.max(...times))}; ${kb(runs.gzip[0].bytes)} with gzip, ${kb(runs.identity[0].bytes)} plain — target ≤ 1 s and ≤ 200 KB`);
}

if (!existsSync('dist')) throw new Error('The control plane serves the built site: run `npm run build` first.');
const agent = createServer(answerAsAgent).listen(agentPort, '127.0.0.1');
const controlPlane = await startControlPlane();
const beat = setInterval(() => void heartbeat().catch(() => undefined), 4_000);
try {
  await heartbeat();
  const classLabs = [...labs.keys()];
  const stepCount = classLabs.reduce((sum, lab) => sum + labs.get(lab)!.steps.length, 0);
  const created = createdClassSchema.parse(
    await (await fetch(`${base}/api/classes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bench', labs: classLabs }) })).json(),
  );
  const sessions: { member: number; lab: string; id: string }[] = [];
  for (let i = 0; i < learners; i++) {
    const cookie = (await fetch(`${base}/api/me`)).headers.get('set-cookie')!.split(';')[0];
    const headers = { cookie, origin: base, 'content-type': 'application/json' };
    await fetch(`${base}/api/classes/join`, { method: 'POST', headers, body: JSON.stringify({ code: created.joinCode, displayName: `Learner ${i + 1}` }) });
    for (const lab of classLabs) {
      const session = labSessionSchema.parse(await (await fetch(`${base}/api/sessions`, { method: 'POST', headers, body: JSON.stringify({ lab }) })).json());
      if (session.state !== 'running') throw new Error(`learner ${i + 1}'s ${lab} session is ${session.state}`);
      sessions.push({ member: i, lab, id: session.id });
    }
  }

  const report = async (body: ActivityReport) => {
    const response = await fetch(`${base}${activityReportPath(agentID)}`, { method: 'POST', headers: { authorization: await signed(activityReportPath(agentID)), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`activity report answered ${response.status}: ${await response.text()}`);
  };
  const reason = { code: 'not-pulled', values: { host: 'host1', image: 'postgres' } };
  const since = new Date(Date.now() - 600_000).toISOString();
  for (const session of sessions) {
    const names = labs.get(session.lab)!.steps.map((step) => step.id);
    await report({
      session: session.id,
      lab: session.lab,
      commands: [],
      steps: names.map((step, s) => ({ step, state: s < names.length - 1 ? 'done' : 'working', attempts: 2, hintsUsed: 1, since, passedAt: s < names.length - 1 ? new Date().toISOString() : null, lastReason: reason })),
    });
  }
  await measureGrid(created.id, created.instructorSecret, `${learners} learners × ${stepCount} steps (${classLabs.length} labs)`);
  const grid = (await (await fetch(`${base}/api/classes/${created.id}`, { headers: { authorization: `Bearer ${created.instructorSecret}` } })).json()) as { learners: { id: string }[] };
  const memberIDs = grid.learners.map((learner) => learner.id); // in joining order

  // The instructor's page, live: each report's cell, timed from the report's send to its arrival.
  const socket = new WebSocket(`${base.replace('http', 'ws')}/api/classes/${created.id}/live`, [instructorSubprotocol, created.instructorSecret]);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const waiting = new Map<string, (at: number) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as ClassLiveMessage;
    if (message.type !== 'cells') return;
    for (const cell of message.cells) waiting.get(`${message.learner}/${cell.step}/${cell.attempts}`)?.(performance.now());
  });
  const memberOfSession = new Map(sessions.map((session) => [session.id, memberIDs[session.member]]));
  const arquitetura = sessions.filter((session) => session.lab === 'arquitetura'); // its last step stays working
  const latencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  for (let r = 0; r < reports; r++) {
    const session = arquitetura[r % arquitetura.length];
    const attempts = 3 + r; // a new count each time: a change the grid shows
    const arrived = new Promise<number>((resolve) => waiting.set(`${memberOfSession.get(session.id)}/outro-daemon/${attempts}`, resolve));
    const sent = performance.now();
    inFlight.push(
      report({ session: session.id, lab: 'arquitetura', commands: [], steps: [{ step: 'outro-daemon', state: 'working', attempts, hintsUsed: 1, since, passedAt: null, lastReason: reason }] }).then(async () => {
        const at = await Promise.race([arrived, new Promise<number>((resolve) => setTimeout(() => resolve(NaN), 10_000))]);
        latencies.push(at - sent);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, reportEveryMs));
  }
  await Promise.all(inFlight);
  socket.close();
  const arrivedAll = latencies.filter((latency) => !Number.isNaN(latency));
  console.log(
    `activity report → instructor's socket: ${arrivedAll.length}/${reports} arrived; p50 ${ms(percentile(arrivedAll, 0.5))}, p95 ${ms(percentile(arrivedAll, 0.95))}, max ${ms(Math.max(...arrivedAll))} (one report every ${reportEveryMs} ms across ${learners} learners) — target ≤ 1 s p95`,
  );
} finally {
  clearInterval(beat);
  agent.close();
  await new Promise<void>((resolve) => {
    controlPlane.once('exit', () => resolve());
    controlPlane.kill('SIGTERM');
  });
  rmSync(state, { recursive: true, force: true });
}
