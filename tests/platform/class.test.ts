// A class at once, on real parts: the control plane in workerd (wrangler dev, D1, Durable Objects),
// a real agent process, real rootless daemons. One agent holds two sessions of the two-host lab.
// Tried: more learners pressing Start at once than there is room for (each must be served, in the
// order the line was formed, and no sandbox host may be left over), and the agent killed outright
// and started again while learners work and wait (theirs end `lost` and they are told; the line
// moves on to the new start; nothing of the old one is left on the machine; a step passed before
// is still the learner's), and one address
// flooding first visits and Starts while a class works (refused with 429s past its limits, at no
// cost to the class or the agent).
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSessionSchema, type LabSession } from '../../protocol/control-plane.ts';
import { agentCapacitySchema, sessionSchema } from '../../protocol/agent.ts';
import { Platform, type Learner } from './platform-under-test.ts';

/** The limits, set here so the test says what it floods past. */
const limits = { learnersPerMinute: 20, liveSessions: 10 };
const platform = new Platform(8796, [{ id: 'class', port: 7081, bridge: 'docaclass0', bridgeAddress: '10.218.0.1', capacity: 4 }], {
  LEARNERS_PER_ADDRESS_PER_MINUTE: String(limits.learnersPerMinute),
  LIVE_SESSIONS_PER_ADDRESS: String(limits.liveSessions),
});
/** A school's public address: a whole class arrives from one (each test's class from its own). */
const schools = ['203.0.113.10', '203.0.113.11', '203.0.113.12'];
const [agent] = platform.agents;
/** Sessions of the two-host lab the agent holds at once. */
const atOnce = 2;

beforeAll(() => platform.start(), 300_000);
afterAll(() => platform.stop(), 120_000);

/** The learners in the order the line was formed: those placed at once, then the queued by their place. */
function lineOrder(learners: Learner[], first: LabSession[]): Learner[] {
  const rank = (session: LabSession) => (session.state === 'queued' ? session.queuePosition! : 0);
  return learners.map((learner, index) => ({ learner, rank: rank(first[index]) })).sort((a, b) => a.rank - b.rank).map((entry) => entry.learner);
}

/** What the agent holds: its sessions, and the sandbox hosts in its state folder. */
async function heldByAgent() {
  const sessions = sessionSchema.array().parse(await (await agent.call('GET', '/sessions')).json());
  const capacity = agentCapacitySchema.parse(await (await agent.call('GET', '/capacity')).json());
  const hostsDir = `${agent.stateDir}/hosts`;
  return { sessions: sessions.length, usedHosts: capacity.used, hostDirs: existsSync(hostsDir) ? readdirSync(hostsDir).length : 0 };
}

/** The agent's next report has reached the control plane, and what it answered was done. */
const nextReports = () => new Promise((resolve) => setTimeout(resolve, 11_000));

describe('a class at once', () => {
  it('more learners than room, pressing Start together: each is served in line order, and no host is left over', async () => {
    const school = schools[0];
    const learners = await Promise.all(Array.from({ length: 3 * atOnce }, (_, i) => platform.learner(`learner ${i + 1}`, school)));
    const first = await Promise.all(learners.map((learner) => learner.start()));
    // Room for two at once: two placed, the others in line with distinct places 1…4.
    expect(first.filter((s) => s.state === 'starting' || s.state === 'running')).toHaveLength(atOnce);
    expect(first.filter((s) => s.state === 'queued').map((s) => s.queuePosition).sort()).toEqual([1, 2, 3, 4]);
    const line = lineOrder(learners, first);

    for (let round = 0; round < line.length / atOnce; round++) {
      const served = line.slice(round * atOnce, (round + 1) * atOnce);
      const waiting = line.slice((round + 1) * atOnce);
      await Promise.all(served.map((learner) => learner.waitWhileWaiting()));
      for (const learner of served) expect(learner.session, learner.name).toMatchObject({ state: 'running', hosts: ['host1', 'host2'] });
      // Nobody behind them overtook them.
      for (const learner of waiting) expect((await learner.look()).state, learner.name).toBe('queued');
      // Each does the lab's first command on their own daemon, through the control plane, and leaves.
      await Promise.all(
        served.map(async (learner) => {
          const terminal = await learner.terminal();
          terminal.type('docker run --rm hello-world\r');
          await terminal.waitFor('Hello from Docker!', 120_000);
          terminal.close();
          expect((await learner.end()).state).toBe('ended');
        }),
      );
    }
    await nextReports();
    expect(await heldByAgent()).toEqual({ sessions: 0, usedHosts: 0, hostDirs: 0 });
  });

  it('the agent killed and started again mid-class: its learners are told theirs was lost, the line moves on, nothing old is left', async () => {
    const school = schools[1];
    const learners = await Promise.all(Array.from({ length: atOnce + 1 }, (_, i) => platform.learner(`learner ${i + 1}`, school)));
    for (const learner of learners) await learner.start();
    const [working, waiting] = [learners.slice(0, atOnce), learners[atOnce]];
    await Promise.all(working.map((learner) => learner.waitWhileWaiting()));
    expect(waiting.session?.state).toBe('queued');
    const terminals = await Promise.all(working.map((learner) => learner.terminal()));
    // One of them passes the lab's first step: the agent reports it, the control plane keeps it.
    terminals[0].type('docker version\r');
    await expect.poll(() => working[0].passedSteps(), { timeout: 10_000 }).toEqual(['client-e-daemon']);
    const before = await heldByAgent();
    expect(before).toEqual({ sessions: atOnce, usedHosts: 2 * atOnce, hostDirs: 2 * atOnce });

    await agent.stop('SIGKILL');
    // Their terminals close: the agent behind them is gone.
    await Promise.all(terminals.map((terminal) => terminal.closed));
    // Someone presses Start while the agent is down: in line behind the one already waiting. Both
    // pages keep asking, as pages do.
    const late = await platform.learner('late', school);
    expect(await late.start()).toMatchObject({ state: 'queued', queuePosition: 2 });
    const served = [waiting, late].map((learner) => learner.waitWhileWaiting());

    await agent.start();
    // Its new start removed what the killed one left, passed its self-test and reported: the
    // sessions of the old start end `lost`, and the line moves on to the new start, in order.
    expect(agent.events('agent.leftovers_removed')[0]?.hosts).toHaveLength(2 * atOnce);
    for (const learner of working) expect(await learner.waitUntil((s) => s.state === 'ended', 20_000), learner.name).toMatchObject({ state: 'ended', endedReason: 'lost' });
    for (const session of await Promise.all(served)) expect(session).toMatchObject({ state: 'running', hosts: ['host1', 'host2'] });
    // The step passed on the killed start is still the learner's.
    expect(await working[0].passedSteps()).toEqual(['client-e-daemon']);
    const terminal = await late.terminal();
    terminal.type('docker info --format "{{.ServerVersion}}"\r');
    await terminal.waitFor(/\d+\.\d+\.\d+/, 30_000);
    terminal.close();
    for (const learner of [waiting, late]) await learner.end();
    await nextReports();
    expect(await heldByAgent()).toEqual({ sessions: 0, usedHosts: 0, hostDirs: 0 });
  });

  it('one address flooding first visits and Starts while a class works: 429s past its limits, nothing more on the agent, the class goes on', async () => {
    const [school, abuser] = [schools[2], '198.51.100.66'];
    const learners = await Promise.all(Array.from({ length: atOnce }, (_, i) => platform.learner(`learner ${i + 1}`, school)));
    for (const learner of learners) await learner.start();
    await Promise.all(learners.map((learner) => learner.waitWhileWaiting()));

    const visits = await Promise.all(Array.from({ length: 3 * limits.learnersPerMinute }, (_, i) => platform.visit(`flood ${i}`, abuser)));
    const refusedVisits = visits.filter((visit) => !visit.ok);
    expect(refusedVisits).toHaveLength(2 * limits.learnersPerMinute);
    expect(new Set(refusedVisits.map((visit) => (visit.ok ? 0 : visit.status)))).toEqual(new Set([429]));
    const made = visits.flatMap((visit) => (visit.ok ? [visit.learner] : []));
    const presses = await Promise.all(
      made.map(async (learner) => {
        const response = await learner.press();
        return { learner, status: response.status, retryAfter: Number(response.headers.get('retry-after')), body: (await response.json()) as unknown };
      }),
    );
    const refused = presses.filter((press) => press.status === 429);
    expect(refused).toHaveLength(limits.learnersPerMinute - limits.liveSessions);
    for (const press of refused) expect(press).toMatchObject({ retryAfter: expect.any(Number), body: { error: { code: 'too_many_sessions' } } });
    expect(refused.every((press) => press.retryAfter > 0)).toBe(true);
    // The admitted ones wait in line behind the class: the agent still holds the class's sessions only.
    const admitted = presses.filter((press) => press.status === 202);
    expect(admitted).toHaveLength(limits.liveSessions);
    for (const press of admitted) press.learner.session = labSessionSchema.parse(press.body);
    expect(admitted.every((press) => press.learner.session?.state === 'queued')).toBe(true);
    expect((await heldByAgent()).sessions).toBe(atOnce);

    // The class works as before.
    for (const learner of learners) {
      const terminal = await learner.terminal();
      terminal.type('docker run --rm hello-world\r');
      await terminal.waitFor('Hello from Docker!', 120_000);
      terminal.close();
    }
    // The flood's places are given up (a page that stops asking loses its place anyway), then the class leaves.
    for (const { learner } of admitted) expect((await learner.end()).state).toBe('ended');
    for (const learner of learners) await learner.end();
    await nextReports();
    expect(await heldByAgent()).toEqual({ sessions: 0, usedHosts: 0, hostDirs: 0 });
  });
});
