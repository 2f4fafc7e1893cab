// The abuse limits through the control plane, in workerd with D1 and the Durable Objects: what one
// client address may make, what a flood of it costs, and that another address does not notice.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { apiErrorSchema, labSessionSchema } from '../../protocol/index.ts';
import { Browser, fakeAgentState, lookAt, newAgentID, startFakeAgent, startLab } from '../test-support/clients';
import { AddressLimits, addressLimitsOf, fullRecheckMs } from './address-limits';
import { limitsOf } from './settings';

const limits = limitsOf(env);
const [school, neighbour] = ['203.0.113.7', '198.51.100.9'];

const rows = async (table: 'learners' | 'lab_sessions') => (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>())!.n;

async function expectRefused(response: Response, code: string, status = 429) {
  expect(response.status).toBe(status);
  expect(apiErrorSchema.parse(await response.json()).error.code).toBe(code);
  return Number(response.headers.get('retry-after'));
}

/** `count` learners from one address, each with its cookie. */
async function learnersFrom(address: string, count: number) {
  const browsers = Array.from({ length: count }, () => new Browser({ address }));
  for (const browser of browsers) expect((await browser.fetch('/api/me')).status).toBe(200);
  return browsers;
}

describe('learners created per client address', () => {
  it('a thousand first visits from one address get 429s past the limit, and make no learner beyond it', async () => {
    const statuses: number[] = [];
    const retryAfters = new Set<number>();
    for (let batch = 0; batch < 20; batch++) {
      const responses = await Promise.all(Array.from({ length: 50 }, () => new Browser({ address: school }).fetch('/api/me')));
      for (const response of responses) {
        statuses.push(response.status);
        if (response.status === 429) {
          retryAfters.add(await expectRefused(response, 'rate_limited'));
          expect(response.headers.get('set-cookie')).toBeNull();
        }
      }
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(limits.learnersPerAddressPerMinute);
    expect(statuses.filter((status) => status === 429)).toHaveLength(1000 - limits.learnersPerAddressPerMinute);
    expect(await rows('learners')).toBe(limits.learnersPerAddressPerMinute);
    for (const seconds of retryAfters) {
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(60);
    }

    // Another address is unaffected; a learner who has a cookie is not a new one.
    expect((await new Browser({ address: neighbour }).fetch('/api/me')).status).toBe(200);
    expect(await rows('learners')).toBe(limits.learnersPerAddressPerMinute + 1);
  });

  it('a class of 30 behind one address all get in within the same minute', async () => {
    await learnersFrom(school, 30);
    expect(await rows('learners')).toBe(30);
  });

  it('counts the minute as it slides: the address may make learners again once its oldest leave the window', async () => {
    const object = addressLimitsOf(env, school);
    const start = Date.now();
    for (let i = 0; i < limits.learnersPerAddressPerMinute; i++) expect((await object.admitLearner(start + i)).ok).toBe(true);
    expect(await object.admitLearner(start + 30_000)).toMatchObject({ ok: false, code: 'rate_limited', retryAfterSeconds: 30 });
    expect((await object.admitLearner(start + 60_001)).ok).toBe(true);
  });
});

describe('live sessions per client address', () => {
  it('a flood of Starts past the cap gets 429s, with no session row and no agent call; another address still starts', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2); // one session runs, the rest wait in line
    const browsers = await learnersFrom(school, limits.liveSessionsPerAddress + 10);
    const admitted = browsers.slice(0, limits.liveSessionsPerAddress);
    for (const browser of admitted) expect([200, 202]).toContain((await startLab(browser)).status);
    expect(await rows('lab_sessions')).toBe(limits.liveSessionsPerAddress);
    const agentCalls = (await fakeAgentState(agent)).calls.length;

    for (let round = 0; round < 5; round++) {
      for (const browser of browsers.slice(limits.liveSessionsPerAddress)) {
        const retryAfter = await expectRefused(await browser.fetch('/api/sessions', { method: 'POST', body: { lab: 'arquitetura' } }), 'too_many_sessions');
        expect(retryAfter).toBe(fullRecheckMs / 1000);
      }
    }
    expect(await rows('lab_sessions')).toBe(limits.liveSessionsPerAddress);
    expect((await fakeAgentState(agent)).calls).toHaveLength(agentCalls);

    // A learner of the address who already holds a session finds it again at the cap.
    const again = await startLab(admitted[0]);
    expect(again.session.state).toBe('running');
    // Another address is unaffected: it gets its place in line.
    const outsider = await startLab(new Browser({ address: neighbour }));
    expect(outsider).toMatchObject({ status: 202, session: { state: 'queued' } });
  });

  it('counts sessions its agent is still starting as live when it counts again', async () => {
    const address = '203.0.113.77';
    await startFakeAgent(await newAgentID(), 2 * 2 * limits.liveSessionsPerAddress, {}, null, { startingFor: 1000 });
    const browsers = await learnersFrom(address, limits.liveSessionsPerAddress + 1);
    for (const browser of browsers.slice(0, -1)) expect((await startLab(browser)).session.state).toBe('starting');
    const late = browsers.at(-1)!;
    const learnerID = ((await (await late.fetch('/api/me')).json()) as { id: string }).id;
    expect((await addressLimitsOf(env, address).admitStart(learnerID, 'arquitetura', Date.now() + 2 * 60_000)).ok).toBe(false);
  });

  it('an address at its cap starts again once one of its sessions ends, or a queued page stops asking', async () => {
    await startFakeAgent(await newAgentID(), 2);
    const browsers = await learnersFrom(school, limits.liveSessionsPerAddress + 2);
    const sessions = [];
    for (const browser of browsers.slice(0, limits.liveSessionsPerAddress)) sessions.push((await startLab(browser)).session);
    const [late, later] = browsers.slice(limits.liveSessionsPerAddress);
    await expectRefused(await late.fetch('/api/sessions', { method: 'POST', body: { lab: 'arquitetura' } }), 'too_many_sessions');

    const learnerOf = async (browser: Browser) => ((await (await browser.fetch('/api/me')).json()) as { id: string }).id;
    const object = addressLimitsOf(env, school);
    const afterRecheck = Date.now() + 2 * 60_000; // past the recheck and the grace of fresh admissions
    // Nothing ended yet: still full when counted again.
    expect((await object.admitStart(await learnerOf(late), 'arquitetura', afterRecheck)).ok).toBe(false);

    await browsers[0].fetch(`/api/sessions/${sessions[0].id}`, { method: 'DELETE' });
    expect((await object.admitStart(await learnerOf(late), 'arquitetura', afterRecheck + fullRecheckMs)).ok).toBe(true);
    expect((await object.admitStart(await learnerOf(later), 'arquitetura', afterRecheck + 2 * fullRecheckMs)).ok).toBe(false);

    // A queued learner whose page stopped asking loses their place, and the address its count (the
    // last in line: the first took the room the ended session freed).
    const queued = sessions.findLast((session) => session.state === 'queued')!;
    await runInDurableObject(env.POOL.get(env.POOL.idFromName('pool')), (_pool, state) => {
      state.storage.sql.exec('UPDATE queue SET last_asked = ? WHERE session_id = ?', Date.now() - limits.queueAbandonMs - 1, queued.id);
    });
    expect((await object.admitStart(await learnerOf(later), 'arquitetura', afterRecheck + 3 * fullRecheckMs)).ok).toBe(true);
  });

  it('leaves no storage behind for an address once nothing it made is counted', async () => {
    await learnersFrom(neighbour, 1);
    const object = addressLimitsOf(env, neighbour);
    await runInDurableObject(object, (_limits: AddressLimits, state) => {
      state.storage.sql.exec('UPDATE learner_creations SET at = ?', Date.now() - 61_000);
    });
    expect(await runDurableObjectAlarm(object)).toBe(true);
    await runInDurableObject(object, async (_limits: AddressLimits, state) => {
      expect(await state.storage.getAlarm()).toBeNull();
      expect(state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM learner_creations').one().n).toBe(0);
    });
    // The address is counted afresh, not broken.
    expect((await new Browser({ address: neighbour }).fetch('/api/me')).status).toBe(200);
  });
});

describe('extensions per session', () => {
  it('stops at the total allowance with 409 extension_limit, and the session keeps running to its time', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    const learner = new Browser({ address: school });
    let { session } = await startLab(learner);
    for (let i = 0; i < limits.extensionsPerSession; i++) {
      const response = await learner.fetch(`/api/sessions/${session.id}/extend`, { method: 'POST' });
      expect(response.status).toBe(200);
      const extended = labSessionSchema.parse(await response.json());
      expect(Date.parse(extended.expiresAt!)).toBeGreaterThan(Date.parse(session.expiresAt!));
      session = extended;
    }
    const refused = await learner.fetch(`/api/sessions/${session.id}/extend`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(apiErrorSchema.parse(await refused.json()).error.code).toBe('extension_limit');
    expect(await lookAt(learner, session.id)).toMatchObject({ state: 'running', expiresAt: session.expiresAt });
    expect((await fakeAgentState(agent)).calls.filter((call) => call.endsWith('/extend'))).toHaveLength(limits.extensionsPerSession);
  });

  it('does not spend an allowance on an extension the agent did not make', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    const learner = new Browser();
    const { session } = await startLab(learner);
    await fetch(`http://fake-agents.test/agents/${agent}/stop`, { method: 'POST' });
    expect((await learner.fetch(`/api/sessions/${session.id}/extend`, { method: 'POST' })).status).toBe(200);
    expect((await env.DB.prepare('SELECT extensions FROM lab_sessions WHERE id = ?').bind(session.id).first())?.extensions).toBe(0);
  });
});

describe('limit settings', () => {
  it('names the variable and the fix when a setting is not a positive whole number', () => {
    const good = { LEARNERS_PER_ADDRESS_PER_MINUTE: '60', LIVE_SESSIONS_PER_ADDRESS: '40', EXTENSIONS_PER_SESSION: '4', QUEUE_ABANDON_SECONDS: '30' };
    expect(limitsOf(good)).toEqual({ learnersPerAddressPerMinute: 60, liveSessionsPerAddress: 40, extensionsPerSession: 4, queueAbandonMs: 30_000 });
    expect(() => limitsOf({ ...good, LIVE_SESSIONS_PER_ADDRESS: 'forty' })).toThrow(/LIVE_SESSIONS_PER_ADDRESS must be a whole number.*wrangler\.toml/);
    expect(() => limitsOf({ ...good, EXTENSIONS_PER_SESSION: '0' })).toThrow(/EXTENSIONS_PER_SESSION must be at least 1/);
    expect(() => limitsOf({ ...good, QUEUE_ABANDON_SECONDS: '2.5' })).toThrow(/QUEUE_ABANDON_SECONDS must be a whole number/);
  });

  it('runs the control plane with the defaults of wrangler.toml', () => {
    expect(limits).toEqual({ learnersPerAddressPerMinute: 60, liveSessionsPerAddress: 40, extensionsPerSession: 4, queueAbandonMs: 30_000 });
  });
});
