// The class's results to take away: CSV and JSON rows (one per learner per step), and the event history.
import { describe, expect, it } from 'vitest';
import { classExportSchema, classHistorySchema, exportColumns } from '../../protocol/index.ts';
import { Browser, newAgentID, startFakeAgent, startLab } from '../test-support/clients';
import { asInstructor, createClass, join, memberIDOf, reported, sendActivity } from '../test-support/classes';
import { exportCSV } from './class-export';

const notPulled = { code: 'not-pulled', values: { host: 'host1', image: 'postgres' } };

async function classWithTwoLearners() {
  const agent = await newAgentID();
  await startFakeAgent(agent, 8);
  const created = await createClass();
  const [ana, other] = [new Browser(), new Browser()];
  await join(ana, created.joinCode, '=HYPERLINK("http://evil.example","Ana")');
  await join(other, created.joinCode);
  const { session } = await startLab(ana);
  await sendActivity(agent, {
    session: session.id,
    lab: 'arquitetura',
    steps: [reported('client-e-daemon', { state: 'done', attempts: 2, hintsUsed: 1, passedAt: '2026-12-01T10:05:00.000Z', lastReason: notPulled }), reported('pull-postgres', { attempts: 1, lastReason: notPulled })],
    commands: [{ host: 'host1', command: 'docker pull postgres', exitCode: 0, at: '2026-12-01T10:04:00.000Z' }],
  });
  return { created, ana: await memberIDOf(ana, created.id), other: await memberIDOf(other, created.id) };
}

describe('the class export', () => {
  it('as JSON: one row per learner per step of the class’s labs, with first pass, attempts, hints and last reason', async () => {
    const { created, ana, other } = await classWithTwoLearners();
    const response = await asInstructor(`/api/classes/${created.id}/export.json`, created.instructorSecret);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="turma-${created.id}.json"`);
    const { rows } = classExportSchema.parse(await response.json());
    expect(rows.map((row) => [row.learner, row.step, row.state])).toEqual([
      [ana, 'client-e-daemon', 'done'],
      [ana, 'pull-postgres', 'working'],
      [ana, 'run-postgres', 'not-started'],
      [ana, 'outro-daemon', 'not-started'],
      [other, 'client-e-daemon', 'not-started'],
      [other, 'pull-postgres', 'not-started'],
      [other, 'run-postgres', 'not-started'],
      [other, 'outro-daemon', 'not-started'],
    ]);
    expect(rows[0]).toMatchObject({ number: 1, firstPassedAt: '2026-12-01T10:05:00.000Z', attempts: 2, hintsUsed: 1, lastReason: notPulled });
    expect(rows[4]).toMatchObject({ number: 2, displayName: null, firstPassedAt: null, attempts: 0, hintsUsed: 0, lastReason: null });
  });

  it('as CSV: the same rows, reasons worded in the language asked, names that a spreadsheet would run made inert', async () => {
    const { created } = await classWithTwoLearners();
    const response = await asInstructor(`/api/classes/${created.id}/export.csv`, created.instructorSecret);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(exportColumns.join(','));
    expect(lines).toHaveLength(9);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""Ana"")"`);
    expect(lines[1]).toContain(',arquitetura,client-e-daemon,done,2026-12-01T10:05:00.000Z,2,1,O daemon do host1 ainda não baixou a imagem `postgres` de um registry.');
    expect(lines[5]).toMatch(/^[A-Za-z0-9_-]+,Aprendiz 2,arquitetura,client-e-daemon,not-started,,0,0,$/);
    const english = (await (await asInstructor(`/api/classes/${created.id}/export.csv?lang=en`, created.instructorSecret)).text()).split('\r\n');
    expect(english[1]).toContain("host1's daemon has not pulled the image `postgres` from a registry yet.");
    expect(english[5]).toContain(',Learner 2,');
  });

  it('keeps a reason no message knows as its code', () => {
    const row = { learner: 'x', number: 1, displayName: 'Ana', lab: 'arquitetura', step: 'client-e-daemon', state: 'working' as const, firstPassedAt: null, attempts: 1, hintsUsed: 0, lastReason: { code: 'made-up', values: {} } };
    expect(exportCSV([row], 'en').split('\r\n')[1]).toBe('x,Ana,arquitetura,client-e-daemon,working,,1,0,made-up');
  });
});

describe("the class's event history", () => {
  it('holds every learner’s events, each naming its learner', async () => {
    const { created, ana } = await classWithTwoLearners();
    const { events } = classHistorySchema.parse(await (await asInstructor(`/api/classes/${created.id}/events.json`, created.instructorSecret)).json());
    // Oldest first; the failed checks are stamped when reported (now), the rest when they happened.
    expect(events.map((e) => e.at)).toEqual(events.map((e) => e.at).sort());
    expect(events.map((e) => [e.learner, e.kind, e.step ?? e.command]).sort()).toEqual([
      [ana, 'reached', 'client-e-daemon'],
      [ana, 'reached', 'pull-postgres'],
      [ana, 'command', 'docker pull postgres'],
      [ana, 'passed', 'client-e-daemon'],
      [ana, 'failed', 'client-e-daemon'],
      [ana, 'failed', 'pull-postgres'],
    ].sort());
  });
});
