// When agents cannot make sandboxes, restart or die: what the control plane does with the learner's
// session, what it logs, and which agents it keeps using. Agents are stand-ins
// (test-support/fake-agents.ts); the subject is the control plane, in workerd with D1.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { agentArrivalGraceMs } from './lab-session-object';
import {
  Browser,
  fakeAgentState,
  heartbeatOf,
  lookAt,
  newAgentID,
  sendHeartbeat,
  silenceAgents,
  startFakeAgent,
  startLab,
} from '../test-support/clients';

let consoleLog: MockInstance<typeof console.log>;
beforeEach(() => {
  consoleLog = vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => consoleLog.mockRestore());

/** The structured log lines of one event, as JSON objects. */
const logged = (event: string) =>
  consoleLog.mock.calls
    .map(([line]) => (typeof line === 'string' && line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : undefined))
    .filter((entry) => entry?.event === event);

const sessionCreations = async (agent: string) => (await fakeAgentState(agent)).calls.filter((call) => call === 'POST /sessions').length;

/** What a restart's sessions wait for: the control plane ends them in the background of the heartbeat. */
const settled = (check: () => Promise<void>) => vi.waitFor(check, { timeout: 5_000 });

/** As if the session had been created `ms` ago. */
const age = (id: string, ms: number) => env.DB.prepare('UPDATE lab_sessions SET created_at = ? WHERE id = ?').bind(new Date(Date.now() - ms).toISOString(), id).run();

const storedSession = (id: string) => env.DB.prepare('SELECT state, ended_reason, agent_boot_id FROM lab_sessions WHERE id = ?').bind(id).first();

describe('an agent that cannot make sandboxes', () => {
  it('ends the session failed, not queued, logs the reason, and gets no new sessions until it reports again', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 4, {}, 'sandbox_failed');
    const { status, session } = await startLab(new Browser());
    expect(status).toBe(200);
    expect(session).toMatchObject({ state: 'ended', endedReason: 'failed', hosts: [], queuePosition: null });
    expect(logged('agent.sandbox_failed')).toEqual([
      { event: 'agent.sandbox_failed', agent, session: session.id, code: 'sandbox_failed', status: 500, reason: 'slirp4netns: open /dev/net/tun: permission denied' },
    ]);

    // Taken out: the next learner's Start doesn't reach it, and doesn't wait for it either.
    expect((await startLab(new Browser())).session).toMatchObject({ state: 'ended', endedReason: 'failed' });
    expect(await sessionCreations(agent)).toBe(1);

    // Its next report (the machine fixed) puts it back in the pool.
    await startFakeAgent(agent, 4);
    expect((await startLab(new Browser())).session.state).toBe('running');
  });

  it.each([
    ['answers 500 sandbox_failed', 'sandbox_failed', 'agent.sandbox_failed'],
    ['answers a 502 that is not its own error', 'bad_gateway', 'agent.unreachable'],
  ] as const)('places the learner on a healthy agent when the agent with the most room %s', async (_, failure, event) => {
    const [failing, healthy] = [await newAgentID(), await newAgentID()];
    await startFakeAgent(failing, 10, {}, failure); // more room: it is picked first
    await startFakeAgent(healthy, 2);
    const { session } = await startLab(new Browser());
    expect(session.state).toBe('running');
    expect((await fakeAgentState(healthy)).sessions).toHaveLength(1);
    expect(logged(event)).toMatchObject([{ agent: failing, session: session.id }]);

    // The healthy agent is merely full now: the next learner waits in line for it.
    expect((await startLab(new Browser())).session).toMatchObject({ state: 'queued', queuePosition: 1 });
    expect(await sessionCreations(failing)).toBe(1);
  });

  it('ends the session failed when the only agent with room fails and the others are full', async () => {
    const [healthy, failing] = [await newAgentID(), await newAgentID()];
    await startFakeAgent(healthy, 2);
    expect((await startLab(new Browser())).session.state).toBe('running'); // healthy is full now
    await startFakeAgent(failing, 4, {}, 'sandbox_failed');
    expect((await startLab(new Browser())).session).toMatchObject({ state: 'ended', endedReason: 'failed' });
  });
});

describe('agents reporting a problem', () => {
  const problem = 'Sandboxes cannot start: /dev/net/tun is mode 0600; run `chmod 0666 /dev/net/tun`.';

  it('get no learners, and Start ends failed at once instead of queueing', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 0, { problem });
    const { session } = await startLab(new Browser());
    expect(session).toMatchObject({ state: 'ended', endedReason: 'failed' });
    expect((await fakeAgentState(agent)).calls).toEqual([]);
  });

  it('get no learners even if they report room', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 4, { problem });
    expect((await startLab(new Browser())).session.endedReason).toBe('failed');
    expect((await fakeAgentState(agent)).calls).toEqual([]);
  });

  it('end the wait of a queued learner once no agent can make sandboxes', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    await startLab(new Browser()); // the agent is full
    const waiting = new Browser();
    const { session } = await startLab(waiting);
    expect(session.state).toBe('queued');
    await sendHeartbeat(agent, heartbeatOf(agent, { capacity: 0, problem }));
    expect(await lookAt(waiting, session.id)).toMatchObject({ state: 'ended', endedReason: 'failed' });
  });

  it('are logged when the problem appears and when it clears, not at every report', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2, { capacity: 0, problem });
    await sendHeartbeat(agent, heartbeatOf(agent, { capacity: 0, problem }));
    await sendHeartbeat(agent, heartbeatOf(agent, { capacity: 0, problem }));
    expect(logged('agent.problem')).toEqual([{ event: 'agent.problem', agent, problem }]);
    await sendHeartbeat(agent, heartbeatOf(agent, { capacity: 2 }));
    await sendHeartbeat(agent, heartbeatOf(agent, { capacity: 2 }));
    expect(logged('agent.recovered')).toEqual([{ event: 'agent.recovered', agent }]);
    expect((await startLab(new Browser())).session.state).toBe('running');
  });
});

describe('no agent reporting', () => {
  it('keeps a learner in line while an agent may still be starting, then ends the session failed', async () => {
    const learner = new Browser();
    const { status, session } = await startLab(learner);
    expect(status).toBe(202);
    await age(session.id, agentArrivalGraceMs - 5_000);
    expect((await lookAt(learner, session.id)).state).toBe('queued');
    await age(session.id, agentArrivalGraceMs + 1);
    expect(await lookAt(learner, session.id)).toMatchObject({ state: 'ended', endedReason: 'failed' });
  });

  it('places the learner who waited if an agent reports in time', async () => {
    const learner = new Browser();
    const { session } = await startLab(learner);
    await startFakeAgent(await newAgentID(), 2);
    expect((await lookAt(learner, session.id)).state).toBe('running');
  });

  it('ends a running session lost once its agent goes silent, and a new Start fails after the wait', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    const learner = new Browser();
    const { session } = await startLab(learner);
    await silenceAgents();
    expect(await lookAt(learner, session.id)).toMatchObject({ state: 'ended', endedReason: 'lost', hosts: [] });
    const next = (await startLab(learner)).session;
    expect(next.state).toBe('queued');
    await age(next.id, agentArrivalGraceMs + 1);
    await silenceAgents(agentArrivalGraceMs + 1);
    expect((await lookAt(learner, next.id)).endedReason).toBe('failed');
  });

  it('keeps a learner long in line while the agent that went silent may be restarting', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    await startLab(new Browser());
    const learner = new Browser();
    const { session } = await startLab(learner);
    expect(session.state).toBe('queued');
    await age(session.id, 10 * 60_000);
    await silenceAgents(agentArrivalGraceMs - 5_000); // silent, but not for longer than a restart takes
    expect((await lookAt(learner, session.id)).state).toBe('queued');
    await silenceAgents(agentArrivalGraceMs + 1);
    expect(await lookAt(learner, session.id)).toMatchObject({ state: 'ended', endedReason: 'failed' });
  });
});

describe('an agent that no longer holds a session', () => {
  it('ends it when the agent reports without it, with no page asking; the one it still holds goes on', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 6);
    const learner = new Browser();
    const gone = [(await startLab(learner)).session, (await startLab(new Browser())).session];
    await fetch(`http://fake-agents.test/agents/${agent}/forget`, { method: 'POST' }); // both ran out of time on the agent
    const held = (await startLab(new Browser())).session;
    expect((await fakeAgentState(agent)).sessions).toHaveLength(1);
    expect((await sendHeartbeat(agent, heartbeatOf(agent, { capacity: 6, used: 2, sessions: [held.id] }))).status).toBe(200);
    for (const session of gone) await settled(async () => expect(await storedSession(session.id)).toMatchObject({ state: 'ended', ended_reason: 'expired' }));
    expect(await lookAt(learner, gone[0].id)).toMatchObject({ state: 'ended', endedReason: 'expired' });
    expect(await storedSession(held.id)).toMatchObject({ state: 'running' });
    expect(logged('agent.sessions_settled')).toMatchObject([{ agent, missing: 2, ended: 2 }]);
  });
});

describe('an agent that restarted', () => {
  /** The agent starts again: it forgets its sessions and reports a new boot id. */
  async function restart(agent: string, bootID: string, { forget = true } = {}) {
    if (forget) await fetch(`http://fake-agents.test/agents/${agent}/forget`, { method: 'POST' });
    expect((await sendHeartbeat(agent, heartbeatOf(agent, { bootID }))).status).toBe(200);
  }

  it('ends the sessions of its earlier start as lost at once, with no page asking', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 4);
    const [ana, bia] = [new Browser(), new Browser()];
    const first = (await startLab(ana)).session;
    const second = (await startLab(bia)).session;
    await restart(agent, `${agent}-boot-2`);
    await settled(async () => expect(await storedSession(first.id)).toMatchObject({ state: 'ended', ended_reason: 'lost' }));
    await settled(async () => expect(await storedSession(second.id)).toMatchObject({ state: 'ended', ended_reason: 'lost' }));
    expect(await lookAt(ana, first.id)).toMatchObject({ state: 'ended', endedReason: 'lost' });
    expect(logged('agent.restarted')).toMatchObject([{ agent, bootID: `${agent}-boot-2` }]);

    // Its new start takes learners, and its next reports end nothing.
    const third = (await startLab(new Browser())).session;
    expect(third.state).toBe('running');
    await sendHeartbeat(agent, heartbeatOf(agent, { bootID: `${agent}-boot-2` }));
    expect(await storedSession(third.id)).toMatchObject({ state: 'running', agent_boot_id: `${agent}-boot-2` });
  });

  it('keeps a session its new start holds (placed as it started, before its first report)', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 4);
    const learner = new Browser();
    const { session } = await startLab(learner);
    await restart(agent, `${agent}-boot-2`, { forget: false });
    await settled(async () => expect(await storedSession(session.id)).toMatchObject({ state: 'running', agent_boot_id: `${agent}-boot-2` }));
    expect((await lookAt(learner, session.id)).state).toBe('running');
  });
});
