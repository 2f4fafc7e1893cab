// Lab sessions through the control plane, in workerd with D1 and the pool's Durable Object; the
// agents are stand-ins (test-support/fake-agents.ts).
import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { apiErrorSchema, labCheckSchema, labSessionSchema, type LabSession } from '../../protocol/index.ts';
import { labSessionObjectName } from './lab-session-object';
import { Browser, fakeAgentState, heartbeatOf, lookAt, newAgentID, request, sendHeartbeat, silenceAgents, startFakeAgent, startLab, stateWhenPlaced, stopFakeAgent } from '../test-support/clients';

const learnerID = async (browser: Browser) => ((await (await browser.fetch('/api/me')).json()) as { id: string }).id;

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(apiErrorSchema.parse(await response.json()).error.code).toBe(code);
}

describe('starting a lab session', () => {
  it("puts the learner on an agent with room and gives them the lab's hosts", async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 4);
    const learner = new Browser();
    const { status, session } = await startLab(learner);
    expect(status).toBe(200);
    expect(session).toMatchObject({ lab: 'arquitetura', state: 'running', hosts: ['host1', 'host2'], queuePosition: null });
    expect(Date.parse(session.expiresAt!)).toBeGreaterThan(Date.now());
    expect((await fakeAgentState(agent)).sessions).toHaveLength(1);
  });

  it('gives the same browser its running session again instead of a second one', async () => {
    await startFakeAgent(await newAgentID(), 4);
    const learner = new Browser();
    const first = (await startLab(learner)).session;
    expect((await startLab(learner)).session.id).toBe(first.id);
    expect((await lookAt(learner, first.id)).state).toBe('running');
  });

  it("finds the learner's current session for a lab, and none for another browser", async () => {
    await startFakeAgent(await newAgentID(), 2);
    const learner = new Browser();
    const current = async (browser: Browser) => (await (await browser.fetch('/api/sessions?lab=arquitetura')).json()) as { session: LabSession | null };
    expect((await current(learner)).session).toBeNull();
    const { session } = await startLab(learner);
    expect((await current(learner)).session?.id).toBe(session.id);
    expect((await current(new Browser())).session).toBeNull();
    await learner.fetch(`/api/sessions/${session.id}`, { method: 'DELETE' });
    expect((await current(learner)).session).toBeNull();
    expect((await learner.fetch('/api/sessions?lab=..')).status).toBe(400);
  });

  it('spreads sessions over the agents with the most room', async () => {
    const [a, b] = [await newAgentID(), await newAgentID()];
    await startFakeAgent(a, 4);
    await startFakeAgent(b, 4);
    await startLab(new Browser());
    await startLab(new Browser());
    expect([(await fakeAgentState(a)).used, (await fakeAgentState(b)).used]).toEqual([2, 2]);
  });

  it('queues learners when every agent is full, and moves the line as room frees', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2); // room for one two-host lab
    const [ana, bia, caio] = [new Browser(), new Browser(), new Browser()];
    const running = (await startLab(ana)).session;
    const second = await startLab(bia);
    expect(second.status).toBe(202);
    expect(second.session).toMatchObject({ state: 'queued', queuePosition: 1, hosts: [] });
    expect((await startLab(caio)).session.queuePosition).toBe(2);

    await ana.fetch(`/api/sessions/${running.id}`, { method: 'DELETE' });
    // The room ana freed goes to bia at once, before her page asks again; caio still waits.
    expect(await stateWhenPlaced(second.session.id)).toBe('running');
    expect((await fakeAgentState(agent)).sessions).toHaveLength(1);
    expect(await lookAt(bia, second.session.id)).toMatchObject({ state: 'running', hosts: ['host1', 'host2'] });
    const caioSession = (await startLab(caio)).session;
    expect(caioSession).toMatchObject({ state: 'queued', queuePosition: 1 });
  });

  it('places the first in line when an agent reports room, and the next one after it, with no page asking', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    const [first, second, third] = [new Browser(), new Browser(), new Browser()];
    await startLab(first);
    const waiting = [(await startLab(second)).session, (await startLab(third)).session];
    expect(waiting.map((s) => s.queuePosition)).toEqual([1, 2]);
    // The agent grew (another machine's worth of room) and says so in its report: both are placed.
    await fetch(`http://fake-agents.test/agents/${agent}/grow`, { method: 'POST', body: JSON.stringify({ capacity: 6 }) });
    await sendHeartbeat(agent, heartbeatOf(agent, { capacity: 6, used: 2 }));
    expect(await stateWhenPlaced(waiting[0].id)).toBe('running');
    expect(await stateWhenPlaced(waiting[1].id)).toBe('running');
    expect((await fakeAgentState(agent)).sessions).toHaveLength(3);
  });

  it('stops using an agent that stops answering and places the learner elsewhere', async () => {
    const [silent, healthy] = [await newAgentID(), await newAgentID()];
    await startFakeAgent(silent, 10); // more room: it would be picked first
    await startFakeAgent(healthy, 2);
    await stopFakeAgent(silent);
    const { session } = await startLab(new Browser());
    expect(session.state).toBe('running');
    expect((await fakeAgentState(healthy)).sessions).toHaveLength(1);
    // Taken out of the pool: the next learner isn't sent there first either.
    await startLab(new Browser());
    expect((await fakeAgentState(silent)).calls.filter((call) => call === 'POST /sessions')).toHaveLength(0);
  });

  it('keeps a session through a missed call, and ends it once its agent has stopped reporting', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    const learner = new Browser();
    const { session } = await startLab(learner);
    await stopFakeAgent(agent);
    expect((await lookAt(learner, session.id)).state).toBe('running'); // it reported moments ago
    await silenceAgents();
    expect(await lookAt(learner, session.id)).toMatchObject({ state: 'ended', endedReason: 'lost' });
  });

  it('ends a session at its expiry, with no page asking, once its agent no longer holds it', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    const learner = new Browser();
    const { session } = await startLab(learner);
    const object = env.SESSION.get(env.SESSION.idFromName(labSessionObjectName(await learnerID(learner), 'arquitetura')));
    expect(await runDurableObjectAlarm(object)).toBe(true); // still held by the agent: a new expiry
    expect((await env.DB.prepare('SELECT state FROM lab_sessions WHERE id = ?').bind(session.id).first())?.state).toBe('running');
    await fetch(`http://fake-agents.test/agents/${agent}/forget`, { method: 'POST' });
    expect(await runDurableObjectAlarm(object)).toBe(true);
    const row = await env.DB.prepare('SELECT state, ended_reason FROM lab_sessions WHERE id = ?').bind(session.id).first();
    expect(row).toEqual({ state: 'ended', ended_reason: 'expired' });
    expect(await runDurableObjectAlarm(object)).toBe(false); // nothing left to wake up for
  });

  it('places a queued session once, however many of its tabs ask at the same time', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 4);
    const learner = new Browser();
    await learner.fetch('/api/me'); // the cookie first: three tabs of one browser
    const looks = await Promise.all([startLab(learner), startLab(learner), startLab(learner)]);
    expect(new Set(looks.map(({ session }) => session.id)).size).toBe(1);
    expect((await fakeAgentState(agent)).sessions).toHaveLength(1);
  });

  it("checks a running session's lab steps on its agent, for its learner only", async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    const learner = new Browser();
    const { session } = await startLab(learner);
    const checked = await learner.fetch(`/api/sessions/${session.id}/check`, { method: 'POST' });
    expect(checked.status).toBe(200);
    const { steps } = labCheckSchema.parse(await checked.json());
    expect(steps.map((step) => step.step)).toEqual(['client-e-daemon', 'pull-postgres', 'run-postgres', 'outro-daemon']);
    expect((await fakeAgentState(agent)).calls.filter((call) => call.endsWith('/check'))).toHaveLength(1);
    await expectError(await new Browser().fetch(`/api/sessions/${session.id}/check`, { method: 'POST' }), 404, 'session_not_found');
    await learner.fetch(`/api/sessions/${session.id}`, { method: 'DELETE' });
    await expectError(await learner.fetch(`/api/sessions/${session.id}/check`, { method: 'POST' }), 409, 'session_not_running');
  });

  it('extends and ends a session on its agent', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    const learner = new Browser();
    const { session } = await startLab(learner);
    const extended = labSessionSchema.parse(await (await learner.fetch(`/api/sessions/${session.id}/extend`, { method: 'POST' })).json());
    expect(Date.parse(extended.expiresAt!)).toBeGreaterThan(Date.parse(session.expiresAt!));
    const ended: LabSession = labSessionSchema.parse(await (await learner.fetch(`/api/sessions/${session.id}`, { method: 'DELETE' })).json());
    expect(ended).toMatchObject({ state: 'ended', endedReason: 'deleted', hosts: [] });
    expect((await fakeAgentState(agent)).sessions).toEqual([]);
    await expectError(await learner.fetch(`/api/sessions/${session.id}/extend`, { method: 'POST' }), 409, 'session_not_running');
  });
});

describe("learner B and learner A's session", () => {
  it("learner B cannot see, extend or end learner A's session, even with its id", async () => {
    await startFakeAgent(await newAgentID(), 2);
    const [a, b] = [new Browser(), new Browser()];
    const { session } = await startLab(a);
    await expectError(await b.fetch(`/api/sessions/${session.id}`), 404, 'session_not_found');
    await expectError(await b.fetch(`/api/sessions/${session.id}/extend`, { method: 'POST' }), 404, 'session_not_found');
    await expectError(await b.fetch(`/api/sessions/${session.id}`, { method: 'DELETE' }), 404, 'session_not_found');
    expect((await lookAt(a, session.id)).state).toBe('running');
  });

  it('a forged learner cookie is a new learner, not the one it names', async () => {
    await startFakeAgent(await newAgentID(), 2);
    const a = new Browser();
    const { session } = await startLab(a);
    const forger = new Browser();
    forger.cookie = a.cookie.replace(/=([^.]*)\./, '=$1x.'); // same id, broken signature
    await expectError(await forger.fetch(`/api/sessions/${session.id}`), 404, 'session_not_found');
    const unsigned = new Browser();
    unsigned.cookie = a.cookie.split('.')[0]; // the id alone
    await expectError(await unsigned.fetch(`/api/sessions/${session.id}`), 404, 'session_not_found');
  });
});

describe('terminal route', () => {
  const upgrade = (browser: Browser, path: string, origin = 'http://doca.test') =>
    request(path, { headers: { upgrade: 'websocket', origin, cookie: browser.cookie } });

  it("learner B cannot open learner A's terminal, even with A's session id", async () => {
    await startFakeAgent(await newAgentID(), 2);
    const [a, b] = [new Browser(), new Browser()];
    const { session } = await startLab(a);
    await b.fetch('/api/me');
    await expectError(await upgrade(b, `/api/sessions/${session.id}/hosts/host1/terminal`), 404, 'session_not_found');
  });

  it('refuses a handshake from another site, a host the session lacks, and a plain GET', async () => {
    await startFakeAgent(await newAgentID(), 2);
    const a = new Browser();
    const { session } = await startLab(a);
    await expectError(await upgrade(a, `/api/sessions/${session.id}/hosts/host1/terminal`, 'https://evil.example'), 403, 'forbidden');
    await expectError(await upgrade(a, `/api/sessions/${session.id}/hosts/host3/terminal`), 404, 'host_not_found');
    await expectError(await a.fetch(`/api/sessions/${session.id}/hosts/host1/terminal`), 400, 'bad_request');
  });
});

describe('port preview', () => {
  it("shows the learner their published port, as an opaque origin, without their cookie", async () => {
    await startFakeAgent(await newAgentID(), 2);
    const learner = new Browser();
    const { session } = await startLab(learner);
    const bare = await learner.fetch(`/api/sessions/${session.id}/hosts/host1/ports/8080`);
    expect(bare.status).toBe(301);
    const response = await learner.fetch(`/api/sessions/${session.id}/hosts/host1/ports/8080/index.html?x=1`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<h1>port 8080</h1> path=index.html cookie=none');
    expect(response.headers.get('content-security-policy')).toMatch(/^sandbox/);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it("learner B cannot open learner A's port preview", async () => {
    await startFakeAgent(await newAgentID(), 2);
    const [a, b] = [new Browser(), new Browser()];
    const { session } = await startLab(a);
    await expectError(await b.fetch(`/api/sessions/${session.id}/hosts/host1/ports/8080/`), 404, 'session_not_found');
  });
});

describe('bad session requests', () => {
  it.each([
    ['a body that is not JSON', { rawBody: '{lab:' }],
    ['no lab', { body: {} }],
    ['a lab id that is not one', { body: { lab: '../etc' } }],
    ['an unknown field', { body: { lab: 'arquitetura', hostCount: 3 } }],
  ])('answers %s with 400 invalid_body', async (_, init) => {
    await expectError(await new Browser().fetch('/api/sessions', { method: 'POST', ...init }), 400, 'invalid_body');
  });

  it('answers an unknown lab with 404 lab_not_found', async () => {
    await expectError(await new Browser().fetch('/api/sessions', { method: 'POST', body: { lab: 'no-such-lab' } }), 404, 'lab_not_found');
  });

  it('does not send learners to an agent that has stopped reporting', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    await silenceAgents();
    expect((await startLab(new Browser())).session.state).toBe('queued');
    expect((await fakeAgentState(agent)).calls).toEqual([]);
  });

  it('queues rather than fails when no agent has reported at all', async () => {
    const { status, session } = await startLab(new Browser());
    expect(status).toBe(202);
    expect(session.queuePosition).toBe(1);
  });
});
