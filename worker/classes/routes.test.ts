// Making a class and joining it: the instructor's link and the learners' code, in workerd with D1.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { classSummarySchema, myClassSchema } from '../../protocol/index.ts';
import { Browser, request } from '../test-support/clients';
import { asInstructor, createClass, expectError, join, memberIDOf } from '../test-support/classes';

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

describe('making a class', () => {
  it('gives the instructor a secret link and the learners a short code and link', async () => {
    const created = await createClass({ labs: ['arquitetura', 'registries'] });
    expect(created.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created.joinCode).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$/);
    expect(created.joinPath).toBe(`/turmas/entrar/?codigo=${created.joinCode}`);
    expect(created.instructorPath).toBe(`/turmas/painel/#${created.id}.${created.instructorSecret}`);
    const grid = await asInstructor(`/api/classes/${created.id}`, created.instructorSecret);
    expect(grid.status).toBe(200);
    expect(classSummarySchema.parse(((await grid.json()) as { class: unknown }).class)).toMatchObject({ name: 'Turma de sábado', labs: ['arquitetura', 'registries'], state: 'open' });
  });

  it('keeps only a hash of the instructor secret, which is random: not derivable from the id or the join code', async () => {
    const [a, b] = [await createClass(), await createClass()];
    const stored = await env.DB.prepare('SELECT * FROM classes WHERE id = ?').bind(a.id).first<Record<string, string>>();
    const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(a.instructorSecret)))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    expect(stored!.secret_hash).toBe(hash);
    // Nothing D1 holds is the secret or contains it.
    expect(JSON.stringify(stored)).not.toContain(a.instructorSecret);
    expect(a.instructorSecret).not.toContain(a.id);
    expect(a.instructorSecret).not.toContain(a.joinCode);
    expect(new Set([a.instructorSecret, b.instructorSecret, a.id, b.id]).size).toBe(4);
    // 32 random bytes: every base64url character appears across a few secrets, nothing fixed.
    expect(new Set(a.instructorSecret).size).toBeGreaterThan(20);
  });

  it.each([
    ['no labs', { labs: [] }],
    ['a blank name', { name: '  ' }],
    ['an end before its start', { startsAt: inAnHour(), endsAt: new Date(Date.now() + 60_000).toISOString() }],
    ['an end already past', { endsAt: new Date(Date.now() - 60_000).toISOString() }],
    ['an unknown field', { instructor: 'me' }],
  ])('refuses %s with 400 invalid_body', async (_, body) => {
    await expectError(await new Browser().fetch('/api/classes', { method: 'POST', body: { name: 'T', labs: ['arquitetura'], ...body } }), 400, 'invalid_body');
  });

  it('refuses a lab that is not in the catalog with 404 lab_not_found', async () => {
    await expectError(await new Browser().fetch('/api/classes', { method: 'POST', body: { name: 'T', labs: ['arquitetura', 'kubernetes'] } }), 404, 'lab_not_found');
  });

  it('counts class creations per address like first visits', async () => {
    const address = '203.0.113.77';
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await new Browser({ address }).fetch('/api/classes', { method: 'POST', body: { name: `T${i}`, labs: ['arquitetura'] } })).status);
    expect(statuses.slice(0, 60).every((status) => status === 201)).toBe(true);
    expect(statuses[60]).toBe(429);
  });
});

describe('joining a class', () => {
  it('takes the code in any case, with spaces or a dash, and tells the learner their class', async () => {
    const created = await createClass();
    const learner = new Browser();
    const code = `${created.joinCode.slice(0, 3).toLowerCase()}-${created.joinCode.slice(3)}`;
    const joined = await join(learner, code, 'Ana');
    expect(joined.status).toBe(200);
    expect(classSummarySchema.parse(((await joined.json()) as { class: unknown }).class)).toMatchObject({ id: created.id, state: 'open' });
    expect(myClassSchema.parse(await (await learner.fetch('/api/me/class')).json())).toMatchObject({ class: { id: created.id }, helpRequested: false });
  });

  it('answers a wrong code with 404 class_not_found, and a code that is not one with 400', async () => {
    const created = await createClass();
    const wrong = created.joinCode === 'ABCDEF' ? 'ABCDEG' : 'ABCDEF';
    await expectError(await join(new Browser(), wrong), 404, 'class_not_found');
    await expectError(await join(new Browser(), 'O0I1L'), 400, 'invalid_body');
  });

  it("answers the code of an ended class with 410 class_ended, and of one not started with 409 class_not_started", async () => {
    const ended = await createClass();
    expect((await asInstructor(`/api/classes/${ended.id}/end`, ended.instructorSecret, { method: 'POST' })).status).toBe(200);
    await expectError(await join(new Browser(), ended.joinCode), 410, 'class_ended');
    const later = await createClass({ startsAt: inAnHour() });
    await expectError(await join(new Browser(), later.joinCode), 409, 'class_not_started');
  });

  it('is idempotent: joining again keeps the learner and their number, and a new name replaces theirs', async () => {
    const created = await createClass();
    const [ana, bia] = [new Browser(), new Browser()];
    await join(ana, created.joinCode, 'Ana');
    await join(bia, created.joinCode);
    const id = await memberIDOf(ana, created.id);
    await join(ana, created.joinCode);
    await join(ana, created.joinCode, 'Ana Paula');
    const grid = (await (await asInstructor(`/api/classes/${created.id}`, created.instructorSecret)).json()) as { learners: { id: string; number: number; displayName: string | null }[] };
    expect(grid.learners.map(({ id, number, displayName }) => ({ id, number, displayName }))).toEqual([
      { id, number: 1, displayName: 'Ana Paula' },
      { id: await memberIDOf(bia, created.id), number: 2, displayName: null },
    ]);
  });

  it('puts a learner in one class at a time: joining another leaves the first, whose grid keeps them', async () => {
    const [first, second] = [await createClass(), await createClass()];
    const learner = new Browser();
    await join(learner, first.joinCode);
    await join(learner, second.joinCode);
    expect(myClassSchema.parse(await (await learner.fetch('/api/me/class')).json()).class?.id).toBe(second.id);
    const current = await env.DB.prepare('SELECT class_id FROM class_members WHERE left_at IS NULL').all();
    expect(current.results).toEqual([{ class_id: second.id }]);
    const firstGrid = (await (await asInstructor(`/api/classes/${first.id}`, first.instructorSecret)).json()) as { learners: unknown[] };
    expect(firstGrid.learners).toHaveLength(1);
    // Its member id differs in each class: nothing links them.
    expect(await memberIDOf(learner, first.id)).not.toBe(await memberIDOf(learner, second.id));
  });

  it('lets a learner leave their class, and a learner in none is told so', async () => {
    const created = await createClass();
    const learner = new Browser();
    expect(myClassSchema.parse(await (await learner.fetch('/api/me/class')).json())).toEqual({ class: null, helpRequested: false });
    await join(learner, created.joinCode);
    expect((await learner.fetch('/api/me/class', { method: 'DELETE' })).status).toBe(200);
    expect(myClassSchema.parse(await (await learner.fetch('/api/me/class')).json()).class).toBeNull();
  });

  it('refuses a join that another site sends with the learner\'s cookie (Origin check)', async () => {
    const created = await createClass();
    const learner = new Browser();
    await learner.fetch('/api/me'); // the learner's cookie, which a form on another site would carry
    const forged = await request('/api/classes/join', {
      method: 'POST',
      headers: { origin: 'https://evil.example', cookie: learner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `code=${created.joinCode}`,
    });
    expect(forged.status).toBe(403);
    expect(myClassSchema.parse(await (await learner.fetch('/api/me/class')).json()).class).toBeNull();
  });
});

describe('asking for help', () => {
  it('is refused to a learner in no class with 409 not_in_class', async () => {
    await expectError(await new Browser().fetch('/api/me/help', { method: 'POST', body: { requested: true } }), 409, 'not_in_class');
  });

  it('is kept until the learner stops asking or leaves the class', async () => {
    const created = await createClass();
    const learner = new Browser();
    await join(learner, created.joinCode);
    expect(await (await learner.fetch('/api/me/help', { method: 'POST', body: { requested: true } })).json()).toEqual({ helpRequested: true });
    expect(myClassSchema.parse(await (await learner.fetch('/api/me/class')).json()).helpRequested).toBe(true);
    await learner.fetch('/api/me/class', { method: 'DELETE' });
    await join(learner, created.joinCode);
    expect(myClassSchema.parse(await (await learner.fetch('/api/me/class')).json()).helpRequested).toBe(false);
  });
});
