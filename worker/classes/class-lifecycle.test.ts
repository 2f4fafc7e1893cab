// A class's data goes when its instructor deletes it and after its retention period; a learner's
// own data goes when they ask. Nothing of either is left in D1.
import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { classGridSchema, myClassSchema, watchCloseCodes } from '../../protocol/index.ts';
import { Browser, fakeAgentState, newAgentID, startFakeAgent, startLab } from '../test-support/clients';
import { LiveChannel, asInstructor, createClass, expectError, join, memberIDOf, reported, sendActivity } from '../test-support/classes';

const count = async (table: string, where = '1 = 1', ...values: unknown[]) =>
  (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).bind(...values).first<{ n: number }>())!.n;

/** A class with a learner who ran a step, asked for help and ran a command. */
async function classWithHistory() {
  const agent = await newAgentID();
  await startFakeAgent(agent, 8);
  const created = await createClass();
  const learner = new Browser();
  await join(learner, created.joinCode, 'Ana');
  const { session } = await startLab(learner);
  await sendActivity(agent, { session: session.id, lab: 'arquitetura', steps: [reported('client-e-daemon', { attempts: 1 })], commands: [{ host: 'host1', command: 'docker ps', exitCode: 0, at: new Date().toISOString() }] });
  await learner.fetch('/api/me/help', { method: 'POST', body: { requested: true } });
  return { agent, created, learner, session };
}

async function classDataLeft(classID: string) {
  return [await count('classes', 'id = ?', classID), ...(await Promise.all(['class_members', 'class_cells', 'class_events'].map((table) => count(table, 'class_id = ?', classID))))];
}

describe("a class's data", () => {
  it('is gone after its instructor deletes the class; its secret then opens nothing', async () => {
    const { created } = await classWithHistory();
    expect((await classDataLeft(created.id)).every((n) => n > 0)).toBe(true);
    const live = await LiveChannel.open(created.id, created.instructorSecret);
    let closed: number | null = null;
    live.socket.addEventListener('close', (event) => {
      closed = event.code;
    });
    expect((await asInstructor(`/api/classes/${created.id}`, created.instructorSecret, { method: 'DELETE' })).status).toBe(204);
    expect(await classDataLeft(created.id)).toEqual([0, 0, 0, 0]);
    await expectError(await asInstructor(`/api/classes/${created.id}`, created.instructorSecret), 401, 'unauthorized');
    await expectError(await join(new Browser(), created.joinCode), 404, 'class_not_found');
    for (let waited = 0; closed === null && waited < 2_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(watchCloseCodes.classDeleted);
  });

  it('is gone once the retention period after its end has passed (the room alarm), not before', async () => {
    const { created, learner } = await classWithHistory();
    await asInstructor(`/api/classes/${created.id}/end`, created.instructorSecret, { method: 'POST' });
    const room = env.CLASS_ROOM.get(env.CLASS_ROOM.idFromName(created.id));
    expect(await runDurableObjectAlarm(room)).toBe(true); // its deletion is due in 90 days: nothing goes yet
    expect(await classDataLeft(created.id)).toEqual([1, 1, 1, 5]);
    // As if the class had ended 91 days ago.
    await env.DB.prepare('UPDATE classes SET ended_at = ? WHERE id = ?').bind(new Date(Date.now() - 91 * 24 * 3600_000).toISOString(), created.id).run();
    await room.schedule(created.id);
    expect(await runDurableObjectAlarm(room)).toBe(true);
    expect(await classDataLeft(created.id)).toEqual([0, 0, 0, 0]);
    expect(myClassSchema.parse(await (await learner.fetch('/api/me/class')).json()).class).toBeNull();
    expect(await runDurableObjectAlarm(room)).toBe(false); // nothing left to wake up for
  });

  it('is ended by its end time: the room alarm ends its sessions, and tells the pages', async () => {
    const { agent, created, learner, session } = await classWithHistory();
    const live = await LiveChannel.open(created.id, created.instructorSecret);
    // As if the class had been made to end a moment ago.
    await env.DB.prepare('UPDATE classes SET ends_at = ? WHERE id = ?').bind(new Date(Date.now() - 1000).toISOString(), created.id).run();
    const room = env.CLASS_ROOM.get(env.CLASS_ROOM.idFromName(created.id));
    await room.schedule(created.id);
    expect(await runDurableObjectAlarm(room)).toBe(true);
    expect((await live.next('class')).class.state).toBe('ended');
    expect(await live.next('help', (m) => !m.requested)).toBeTruthy();
    expect((await fakeAgentState(agent)).sessions).toEqual([]);
    expect((await learner.fetch(`/api/sessions/${session.id}`).then((r) => r.json())) as { state: string }).toMatchObject({ state: 'ended' });
    expect(await env.DB.prepare('SELECT ended_at FROM classes WHERE id = ?').bind(created.id).first()).not.toEqual({ ended_at: null });
  });
});

describe("a learner's own data", () => {
  it('is gone when they delete it: sessions end, progress, activity and memberships go, the cookie is cleared', async () => {
    const { agent, created, learner } = await classWithHistory();
    const live = await LiveChannel.open(created.id, created.instructorSecret);
    const member = await memberIDOf(learner, created.id);
    const learnerID = ((await learner.fetch('/api/me').then((r) => r.json())) as { id: string }).id;
    const response = await learner.fetch('/api/me', { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toMatch(/^doca_learner=;.*Max-Age=0/i);
    expect((await fakeAgentState(agent)).sessions).toEqual([]);
    for (const table of ['lab_sessions', 'progress', 'class_members']) expect(await count(table, 'learner_id = ?', learnerID)).toBe(0);
    expect(await count('learners', 'id = ?', learnerID)).toBe(0);
    expect(await count('class_cells', 'member_id = ?', member)).toBe(0);
    expect(await count('class_events', 'member_id = ?', member)).toBe(0);
    expect(await live.next('removed', (m) => m.learner === member)).toBeTruthy();
    const grid = classGridSchema.parse(await (await asInstructor(`/api/classes/${created.id}`, created.instructorSecret)).json());
    expect(grid.learners).toEqual([]);
  });

  it("takes nothing of another learner's", async () => {
    const { created } = await classWithHistory();
    const other = new Browser();
    await join(other, created.joinCode);
    await other.fetch('/api/me', { method: 'DELETE' });
    const grid = classGridSchema.parse(await (await asInstructor(`/api/classes/${created.id}`, created.instructorSecret)).json());
    expect(grid.learners.map((l) => [l.displayName, l.cells.length])).toEqual([['Ana', 1]]);
  });
});
