// Only the holder of a class's secret is its instructor: security negatives by name, then the
// instructor's actions on a class whose learners run sessions on stand-in agents.
import { describe, expect, it } from 'vitest';
import { classGridSchema, classSummarySchema, instructorSubprotocol, labSessionSchema } from '../../protocol/index.ts';
import { Browser, lookAt, newAgentID, request, startFakeAgent, startLab } from '../test-support/clients';
import { asInstructor, createClass, expectError, join, memberIDOf, upgrade } from '../test-support/classes';

/** Every instructor route of a class, as method and path. */
const instructorRoutes = (id: string, learner = 'AAAAAAAAAAAAAAAA') => [
  ['GET', `/api/classes/${id}`],
  ['GET', `/api/classes/${id}/learners/${learner}/timeline`],
  ['POST', `/api/classes/${id}/extend`],
  ['POST', `/api/classes/${id}/end`],
  ['GET', `/api/classes/${id}/export.csv`],
  ['GET', `/api/classes/${id}/export.json`],
  ['GET', `/api/classes/${id}/events.json`],
  ['DELETE', `/api/classes/${id}`],
];

describe('a learner cannot open the instructor view', () => {
  it('without the secret, or with a wrong one: 401 on every instructor route, and the class goes on', async () => {
    const created = await createClass();
    const learner = new Browser();
    await join(learner, created.joinCode);
    const wrong = `${created.instructorSecret.slice(0, -1)}${created.instructorSecret.endsWith('A') ? 'B' : 'A'}`;
    for (const [method, path] of instructorRoutes(created.id, await memberIDOf(learner, created.id))) {
      for (const secret of [null, wrong, 'not-a-secret', created.id, created.joinCode]) await expectError(await asInstructor(path, secret, { method, body: method === 'POST' ? {} : undefined }), 401, 'unauthorized');
      // The learner's own cookie opens nothing here either.
      await expectError(await learner.fetch(path, { method, body: method === 'POST' ? {} : undefined }), 401, 'unauthorized');
    }
    expect((await asInstructor(`/api/classes/${created.id}`, created.instructorSecret)).status).toBe(200);
  });

  it("cannot open the live channel without the secret, or with another class's", async () => {
    const [a, b] = [await createClass(), await createClass()];
    await expectError(await upgrade(`/api/classes/${a.id}/live`, [instructorSubprotocol]), 401, 'unauthorized');
    await expectError(await upgrade(`/api/classes/${a.id}/live`, [instructorSubprotocol, b.instructorSecret]), 401, 'unauthorized');
    await expectError(await upgrade(`/api/classes/${a.id}/live`, ['chat', a.instructorSecret]), 401, 'unauthorized');
    expect((await upgrade(`/api/classes/${a.id}/live`, [instructorSubprotocol, a.instructorSecret])).status).toBe(101);
  });
});

describe("class A's instructor and class B", () => {
  it("class A's secret opens neither class B's grid nor its exports nor its actions", async () => {
    const [a, b] = [await createClass(), await createClass()];
    for (const [method, path] of instructorRoutes(b.id)) await expectError(await asInstructor(path, a.instructorSecret, { method, body: method === 'POST' ? {} : undefined }), 401, 'unauthorized');
    expect(classSummarySchema.parse(((await (await asInstructor(`/api/classes/${b.id}`, b.instructorSecret)).json()) as { class: unknown }).class).state).toBe('open');
  });

  it('a class that does not exist answers like a wrong secret, so ids cannot be probed', async () => {
    const a = await createClass();
    await expectError(await asInstructor('/api/classes/AAAAAAAAAAAAAAAAAAAAAA', a.instructorSecret), 401, 'unauthorized');
  });
});

describe("the instructor's actions", () => {
  it("extends one learner's running sessions, or every learner's", async () => {
    await startFakeAgent(await newAgentID(), 8);
    const created = await createClass();
    const [ana, bia] = [new Browser(), new Browser()];
    for (const learner of [ana, bia]) await join(learner, created.joinCode);
    const [a, b] = [(await startLab(ana)).session, (await startLab(bia)).session];
    const one = await asInstructor(`/api/classes/${created.id}/extend`, created.instructorSecret, { method: 'POST', body: { learner: await memberIDOf(ana, created.id) } });
    expect(await one.json()).toEqual({ extended: 1 });
    expect(Date.parse((await lookAt(ana, a.id)).expiresAt!)).toBeGreaterThan(Date.parse(a.expiresAt!));
    expect((await lookAt(bia, b.id)).expiresAt).toBe(b.expiresAt);
    const all = await asInstructor(`/api/classes/${created.id}/extend`, created.instructorSecret, { method: 'POST', body: {} });
    expect(await all.json()).toEqual({ extended: 2 });
    await expectError(await asInstructor(`/api/classes/${created.id}/extend`, created.instructorSecret, { method: 'POST', body: { learner: 'nobody-here' } }), 404, 'not_found');
  });

  it("ends the class: its learners' sessions end, its code takes no one new, its grid stays", async () => {
    await startFakeAgent(await newAgentID(), 8);
    const created = await createClass();
    const learner = new Browser();
    await join(learner, created.joinCode, 'Ana');
    const { session } = await startLab(learner);
    const ended = await asInstructor(`/api/classes/${created.id}/end`, created.instructorSecret, { method: 'POST' });
    expect(classSummarySchema.parse(await ended.json()).state).toBe('ended');
    expect(labSessionSchema.parse(await lookAt(learner, session.id))).toMatchObject({ state: 'ended', endedReason: 'deleted' });
    await expectError(await join(new Browser(), created.joinCode), 410, 'class_ended');
    await expectError(await learner.fetch('/api/me/help', { method: 'POST', body: { requested: true } }), 410, 'class_ended');
    const grid = classGridSchema.parse(await (await asInstructor(`/api/classes/${created.id}`, created.instructorSecret)).json());
    expect(grid.learners.map((l) => l.displayName)).toEqual(['Ana']);
    expect(grid.class.state).toBe('ended');
    // The instructor's page shows the code to project, from any browser with the link.
    expect(grid.joinCode).toBe(created.joinCode);
  });

  it('sends the grid compressed to a client that takes gzip', async () => {
    const created = await createClass();
    const response = await asInstructor(`/api/classes/${created.id}`, created.instructorSecret, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    const plain = await asInstructor(`/api/classes/${created.id}`, created.instructorSecret);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(classGridSchema.parse(await plain.json()).learners).toEqual([]);
  });
});

describe('a plain GET on a socket route', () => {
  it('is a 400, after the secret is checked', async () => {
    const created = await createClass();
    await expectError(await request(`/api/classes/${created.id}/live`), 401, 'unauthorized');
    await expectError(await asInstructor(`/api/classes/${created.id}/live`, created.instructorSecret), 400, 'bad_request');
  });
});
