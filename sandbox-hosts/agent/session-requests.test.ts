// Many learners asking at once, against real daemons through a real agent server: cold starts are
// admitted a few at a time in the order asked, and a session named by the control plane is made once
// however often it is asked for.
import { describe, expect, it } from 'vitest';
import { sessionSchema, sessionStartingSchema } from '../../protocol/agent.ts';
import { useTestAgent } from '../test-support/test-agent.ts';
import { sandboxSessions } from '../test-support/test-machine.ts';
import { Admission } from './admission.ts';
import { LiveSessions } from './live-sessions.ts';

const live = new LiveSessions({ sessions: sandboxSessions, capacity: 4, admission: new Admission(1), log: () => undefined });
// A short wait, so a cold start outlasts it and the answer is `202 starting`.
const agent = useTestAgent(live, { createWaitMs: 200 });

describe('session requests from the control plane', () => {
  it('a burst of requests larger than the admission limit: started one at a time, in the order asked, all served', async () => {
    const keys = ['burst-key-1', 'burst-key-2', 'burst-key-3'];
    // One after the other, so the order asked is the order the agent heard (each answers within the wait).
    const answers: Response[] = [];
    for (const key of keys) answers.push(await agent.call('POST', '/sessions', { hostCount: 1, key }));
    // The first may or may not finish within the wait; the ones behind it are still waiting their turn.
    expect(answers.map((a) => a.status).slice(1)).toEqual([202, 202]);
    expect(live.starts.waiting + live.starts.running).toBeGreaterThan(0);
    const sessions = [];
    for (const key of keys) {
      for (;;) {
        const again = await agent.call('POST', '/sessions', { hostCount: 1, key });
        if (again.status === 201) {
          sessions.push(sessionSchema.parse(await again.json()));
          break;
        }
        expect(again.status).toBe(202);
        expect(sessionStartingSchema.parse(await again.json())).toEqual({ key, state: 'starting' });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    expect(sessions.map((s) => s.key)).toEqual(keys);
    // In the order asked: each was handed out after the one before it.
    const handed = sessions.map((s) => Date.parse(s.createdAt));
    expect([...handed].sort((a, b) => a - b)).toEqual(handed);
    expect(live.list()).toHaveLength(3);
    expect(live.keys().sort()).toEqual([...keys].sort());
  });

  it('asked again with the same key (a retry after a timeout), the agent gives the same session and makes no second one', async () => {
    const key = 'retry-key-1';
    const [first, second] = await Promise.all([agent.call('POST', '/sessions', { hostCount: 1, key }), agent.call('POST', '/sessions', { hostCount: 1, key })]);
    expect([first.status, second.status].every((status) => status === 201 || status === 202)).toBe(true);
    let session;
    for (;;) {
      const again = await agent.call('POST', '/sessions', { hostCount: 1, key });
      if (again.status === 201) {
        session = sessionSchema.parse(await again.json());
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const third = sessionSchema.parse(await (await agent.call('POST', '/sessions', { hostCount: 1, key })).json());
    expect(third.id).toBe(session.id);
    expect(live.list().map((s) => s.id)).toEqual([session.id]);
    expect((await sandboxSessions.hosts.ids()).filter((id) => id.startsWith(session.id))).toHaveLength(1);
  });

  it('a key is free again once its session ends', async () => {
    const key = 'ended-key-1';
    const answer = async () => {
      for (;;) {
        const response = await agent.call('POST', '/sessions', { hostCount: 1, key });
        if (response.status === 201) return sessionSchema.parse(await response.json());
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const first = await answer();
    expect((await agent.call('DELETE', `/sessions/${first.id}`)).status).toBe(204);
    expect(live.keys()).not.toContain(key);
    const second = await answer();
    expect(second.id).not.toBe(first.id);
  });

  it("removes a session the control plane no longer knows, also one still starting when it is told", async () => {
    const made = 'forget-made-1';
    const starting = 'forget-starting-1';
    for (;;) {
      if ((await agent.call('POST', '/sessions', { hostCount: 1, key: made })).status === 201) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await agent.call('POST', '/sessions', { hostCount: 1, key: starting })).status).toBe(202);
    live.forget(made);
    live.forget(starting);
    live.forget('never-asked-1'); // nothing to do
    await expect.poll(() => live.keys(), { timeout: 30_000 }).toEqual([]);
    await expect.poll(() => live.list().length, { timeout: 30_000 }).toBe(0);
    await expect.poll(async () => (await sandboxSessions.hosts.ids()).length, { timeout: 30_000 }).toBe(0);
  });
});
