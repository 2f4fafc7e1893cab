// What agents report of a session reaches its learner's class: the grid's cells, the timeline, and
// the instructors' live channel, within a moment and without a reload.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { classGridSchema, classTimelineSchema, progressReportPath } from '../../protocol/index.ts';
import { Browser, heartbeatToken, newAgentID, request, startFakeAgent, startLab } from '../test-support/clients';
import { LiveChannel, asInstructor, createClass, expectError, join, memberIDOf, reported, sendActivity } from '../test-support/classes';
import { commandsKeptPerMember } from './class-activity';

const notPulled = { code: 'not-pulled', values: { host: 'host1', image: 'postgres' } };

async function classWithLearner(name?: string) {
  const agent = await newAgentID();
  await startFakeAgent(agent, 8);
  const created = await createClass();
  const learner = new Browser();
  await join(learner, created.joinCode, name);
  const live = await LiveChannel.open(created.id, created.instructorSecret);
  const { session } = await startLab(learner);
  return { agent, created, learner, live, session, member: await memberIDOf(learner, created.id) };
}

describe('activity reports', () => {
  it("change the learner's cells, which the instructor's live channel receives", async () => {
    const { agent, created, live, session, member } = await classWithLearner('Ana');
    await live.next('cells', (m) => m.learner === member && m.active === true); // the session started
    const sent = Date.now();
    const response = await sendActivity(agent, { session: session.id, lab: 'arquitetura', steps: [reported('client-e-daemon')], commands: [] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ recorded: { cells: 1, commands: 0 } });
    const pushed = await live.next('cells', (m) => m.cells.length > 0);
    expect(Date.now() - sent).toBeLessThan(1_000);
    expect(pushed).toEqual({
      type: 'cells',
      learner: member,
      active: true,
      cells: [{ lab: 'arquitetura', step: 'client-e-daemon', state: 'working', attempts: 0, hintsUsed: 0, since: '2026-12-01T10:00:00.000Z', passedAt: null, lastReason: null }],
    });
    const grid = classGridSchema.parse(await (await asInstructor(`/api/classes/${created.id}`, created.instructorSecret)).json());
    expect(grid.learners).toMatchObject([{ id: member, number: 1, displayName: 'Ana', active: true, helpRequested: false, cells: [{ step: 'client-e-daemon', state: 'working' }] }]);
  });

  it("build the learner's timeline: reached, failed with its reason, passed, and the commands they ran", async () => {
    const { agent, created, session, member } = await classWithLearner();
    const report = (steps: ReturnType<typeof reported>[], commands: { host: 'host1'; command: string; exitCode: number; at: string }[] = []) =>
      sendActivity(agent, { session: session.id, lab: 'arquitetura', steps, commands });
    await report([reported('client-e-daemon')]);
    await report([reported('client-e-daemon', { attempts: 1, lastReason: notPulled })], [{ host: 'host1', command: 'docker pul postgres', exitCode: 1, at: '2026-12-01T10:01:00.000Z' }]);
    await report(
      [reported('client-e-daemon', { state: 'done', attempts: 1, hintsUsed: 1, passedAt: '2026-12-01T10:02:00.000Z' }), reported('pull-postgres', { since: '2026-12-01T10:02:00.000Z' })],
      [{ host: 'host1', command: 'docker pull postgres', exitCode: 0, at: '2026-12-01T10:01:50.000Z' }],
    );
    const { events } = classTimelineSchema.parse(await (await asInstructor(`/api/classes/${created.id}/learners/${member}/timeline`, created.instructorSecret)).json());
    expect(events.filter((e) => e.kind !== 'failed').map((e) => [e.kind, e.step ?? e.command, e.at])).toEqual([
      ['reached', 'client-e-daemon', '2026-12-01T10:00:00.000Z'],
      ['command', 'docker pul postgres', '2026-12-01T10:01:00.000Z'],
      ['command', 'docker pull postgres', '2026-12-01T10:01:50.000Z'],
      ['passed', 'client-e-daemon', '2026-12-01T10:02:00.000Z'],
      ['reached', 'pull-postgres', '2026-12-01T10:02:00.000Z'],
    ]);
    expect(events.filter((e) => e.kind === 'failed')).toEqual([expect.objectContaining({ step: 'client-e-daemon', reason: notPulled })]);
    expect(events.find((e) => e.command === 'docker pul postgres')).toMatchObject({ host: 'host1', exitCode: 1 });
    const grid = classGridSchema.parse(await (await asInstructor(`/api/classes/${created.id}`, created.instructorSecret)).json());
    expect(grid.learners[0].cells).toEqual([
      { lab: 'arquitetura', step: 'client-e-daemon', state: 'done', attempts: 1, hintsUsed: 1, since: '2026-12-01T10:00:00.000Z', passedAt: '2026-12-01T10:02:00.000Z', lastReason: notPulled },
      { lab: 'arquitetura', step: 'pull-postgres', state: 'working', attempts: 0, hintsUsed: 0, since: '2026-12-01T10:02:00.000Z', passedAt: null, lastReason: null },
    ]);
  });

  it('never take back a pass: a report retried out of order changes nothing', async () => {
    const { agent, created, session } = await classWithLearner();
    await sendActivity(agent, { session: session.id, lab: 'arquitetura', steps: [reported('client-e-daemon', { state: 'done', attempts: 2, passedAt: '2026-12-01T10:02:00.000Z' })], commands: [] });
    const stale = await sendActivity(agent, { session: session.id, lab: 'arquitetura', steps: [reported('client-e-daemon', { attempts: 1 })], commands: [] });
    expect(await stale.json()).toEqual({ recorded: { cells: 0, commands: 0 } });
    const grid = classGridSchema.parse(await (await asInstructor(`/api/classes/${created.id}`, created.instructorSecret)).json());
    expect(grid.learners[0].cells).toMatchObject([{ state: 'done', attempts: 2, passedAt: '2026-12-01T10:02:00.000Z' }]);
  });

  it('show a step passed as done even when only its progress was reported (or it passed before the learner joined)', async () => {
    const { agent, created, session } = await classWithLearner();
    const path = progressReportPath(agent);
    await request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${await heartbeatToken(agent, { binding: { method: 'POST', path } })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ session: session.id, lab: 'arquitetura', steps: [{ step: 'pull-postgres', passedAt: '2026-12-01T09:00:00.000Z', failures: 3, hintsUsed: 1 }] }),
    });
    const grid = classGridSchema.parse(await (await asInstructor(`/api/classes/${created.id}`, created.instructorSecret)).json());
    expect(grid.learners[0].cells).toEqual([{ lab: 'arquitetura', step: 'pull-postgres', state: 'done', attempts: 3, hintsUsed: 1, since: null, passedAt: '2026-12-01T09:00:00.000Z', lastReason: null }]);
  });

  it(`keep the latest ${commandsKeptPerMember} commands of a learner`, async () => {
    const { agent, created, session, member } = await classWithLearner();
    for (let batch = 0; batch < commandsKeptPerMember / 50 + 1; batch++) {
      const commands = Array.from({ length: 50 }, (_, i) => ({ host: 'host1' as const, command: `echo ${batch * 50 + i}`, exitCode: 0, at: new Date(Date.UTC(2026, 11, 1, 10, 0, 0, batch * 50 + i)).toISOString() }));
      expect((await sendActivity(agent, { session: session.id, lab: 'arquitetura', steps: [], commands })).status).toBe(200);
    }
    const { events } = classTimelineSchema.parse(await (await asInstructor(`/api/classes/${created.id}/learners/${member}/timeline`, created.instructorSecret)).json());
    const commands = events.filter((e) => e.kind === 'command');
    expect(commands).toHaveLength(commandsKeptPerMember);
    expect(commands[0].command).toBe('echo 50');
  });

  it('leave nothing for a learner in no class, or on a lab their class does not have', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 8);
    const alone = new Browser();
    const { session } = await startLab(alone);
    const response = await sendActivity(agent, { session: session.id, lab: 'arquitetura', steps: [reported('client-e-daemon')], commands: [{ host: 'host1', command: 'ls', exitCode: 0, at: new Date().toISOString() }] });
    expect(await response.json()).toEqual({ recorded: { cells: 0, commands: 0 } });
    const registriesOnly = await createClass({ labs: ['registries'] });
    await join(alone, registriesOnly.joinCode);
    await sendActivity(agent, { session: session.id, lab: 'arquitetura', steps: [reported('client-e-daemon')], commands: [] });
    const kept = await env.DB.batch([env.DB.prepare('SELECT COUNT(*) AS n FROM class_cells'), env.DB.prepare('SELECT COUNT(*) AS n FROM class_events')]);
    expect(kept.map((result) => (result.results[0] as { n: number }).n)).toEqual([0, 0]);
  });
});

describe('an agent reporting activity', () => {
  it("cannot report another agent's session, a step the lab lacks, or with a token for another route", async () => {
    const { agent, session } = await classWithLearner();
    const other = await newAgentID();
    await startFakeAgent(other, 8);
    await expectError(await sendActivity(other, { session: session.id, lab: 'arquitetura', steps: [reported('client-e-daemon')], commands: [] }), 404, 'session_not_found');
    await expectError(await sendActivity(agent, { session: session.id, lab: 'registries', steps: [], commands: [] }), 404, 'session_not_found');
    await expectError(await sendActivity(agent, { session: session.id, lab: 'arquitetura', steps: [reported('no-such-step')], commands: [] }), 400, 'bad_request');
    const forProgress = await heartbeatToken(agent, { binding: { method: 'POST', path: progressReportPath(agent) } });
    await expectError(await sendActivity(agent, { session: session.id, lab: 'arquitetura', steps: [], commands: [] }, forProgress), 401, 'unauthorized');
    await expectError(await sendActivity(agent, { session: session.id, lab: 'arquitetura', steps: [], commands: [] }, ''), 401, 'unauthorized');
  });
});
