// A session is made once: the control plane names it when it asks an agent for it, so a retry after
// a lost answer, or while the agent is still starting it, gets the same session and never a second.
// Agents are stand-ins (test-support/fake-agents.ts); the subject is the control plane, in workerd.
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { heartbeatAnswerSchema } from '../../protocol/control-plane.ts';
import { Browser, fakeAgentState, heartbeatOf, lookAt, newAgentID, sendHeartbeat, startFakeAgent, startLab } from '../test-support/clients';

let consoleLog: MockInstance<typeof console.log>;
beforeEach(() => {
  consoleLog = vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => consoleLog.mockRestore());

describe('a session is made once', () => {
  it('while the agent is still starting it: starting, then running, one session on the agent', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 4, {}, null, { startingFor: 2 });
    const browser = new Browser();
    const { session } = await startLab(browser);
    expect(session).toMatchObject({ state: 'starting', queuePosition: null, hosts: [] });
    expect((await lookAt(browser, session.id)).state).toBe('starting');
    const running = await lookAt(browser, session.id);
    expect(running).toMatchObject({ state: 'running', hosts: ['host1', 'host2'] });
    const state = await fakeAgentState(agent);
    expect(state.sessions).toHaveLength(1);
    expect(state.calls.filter((call) => call === 'POST /sessions')).toHaveLength(3);
  });

  it('when the answer to the creating call is lost (a timeout): the next look gets that same session, not a second', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 4, {}, null, { dropFirstAnswer: true });
    const browser = new Browser();
    const { session } = await startLab(browser);
    // A slow agent is not an unreachable one: the session stays placed on it.
    expect(session.state).toBe('starting');
    expect(await lookAt(browser, session.id)).toMatchObject({ state: 'running', hosts: ['host1', 'host2'] });
    expect((await fakeAgentState(agent)).sessions).toHaveLength(1);
    // And the agent still gets new learners (this stand-in loses every first answer: they start).
    expect((await startLab(new Browser())).session.state).toBe('starting');
  });

  it('three tabs of one learner pressing Start while the agent starts the session: one session', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 4, {}, null, { startingFor: 3 });
    const browser = new Browser();
    await browser.fetch('/api/me');
    const answers = await Promise.all([startLab(browser), startLab(browser), startLab(browser)]);
    expect(new Set(answers.map((a) => a.session.id)).size).toBe(1);
    expect((await lookAt(browser, answers[0].session.id)).state).toBe('running');
    expect((await fakeAgentState(agent)).sessions).toHaveLength(1);
  });

  it('a starting session the learner ends: its agent is told to remove it at its next report', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 4, {}, null, { startingFor: 5 });
    const browser = new Browser();
    const { session } = await startLab(browser);
    expect(session.state).toBe('starting');
    const other = (await startLab(new Browser())).session;
    expect((await browser.fetch(`/api/sessions/${session.id}`, { method: 'DELETE' })).status).toBe(200);
    // The agent reports both keys (and one nobody ever placed on it): the ended one and the stranger go.
    const answer = await sendHeartbeat(agent, heartbeatOf(agent, { capacity: 4, used: 4, sessions: [session.id, other.id, 'never-placed-here'] }));
    expect(answer.status).toBe(200);
    expect(heartbeatAnswerSchema.parse(await answer.json())).toEqual({ remove: [session.id, 'never-placed-here'] });
  });

  it("a session placed on another agent is not this agent's to keep", async () => {
    const [a, b] = [await newAgentID(), await newAgentID()];
    await startFakeAgent(a, 2);
    const { session } = await startLab(new Browser());
    expect(session.state).toBe('running');
    await startFakeAgent(b, 2);
    const answer = heartbeatAnswerSchema.parse(await (await sendHeartbeat(b, heartbeatOf(b, { sessions: [session.id] }))).json());
    expect(answer.remove).toEqual([session.id]);
    const own = heartbeatAnswerSchema.parse(await (await sendHeartbeat(a, heartbeatOf(a, { used: 2, sessions: [session.id] }))).json());
    expect(own.remove).toEqual([]);
  });
});
