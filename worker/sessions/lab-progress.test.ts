// Progress as durable records, in workerd: an agent reports the steps its checks saw passed for a
// session it holds, with the failed checks before and the hints open; the learner reads them back,
// one lab or every lab. Tried: another agent reporting the session, a heartbeat's token replayed on
// the progress route, another agent's key, steps the lab lacks, a body that is not a report, the
// same step reported twice, another learner asking.
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { apiErrorSchema, learnerProgressByLabSchema, learnerProgressSchema, progressReportPath, type ProgressReport } from '../../protocol/index.ts';
import { labs } from '../../src/labs/index.ts';
import { agentKeyOf, Browser, heartbeatToken, newAgentID, request, startFakeAgent, startLab } from '../test-support/clients';

/** Every lab of the catalog, no step passed. */
const noProgress = Object.fromEntries([...labs.keys()].map((lab) => [lab, []]));

let consoleLog: MockInstance<typeof console.log>;
beforeEach(() => {
  consoleLog = vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => consoleLog.mockRestore());

async function report(agentID: string, body: unknown, token?: string) {
  const path = progressReportPath(agentID);
  return request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token ?? (await heartbeatToken(agentID, { binding: { method: 'POST', path } }))}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(apiErrorSchema.parse(await response.json()).error.code).toBe(code);
}

const progressOf = async (browser: Browser) => learnerProgressSchema.parse(await (await browser.fetch('/api/me/progress?lab=arquitetura')).json());
const progressInEveryLab = async (browser: Browser) => {
  const response = await browser.fetch('/api/me/progress');
  expect(response.status).toBe(200);
  return learnerProgressByLabSchema.parse(await response.json());
};

describe('progress reported by agents', () => {
  it('keeps the steps an agent reports for its session, in the lab\'s order, each once', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    const learner = new Browser();
    const { session } = await startLab(learner);
    expect((await progressOf(learner)).steps).toEqual([]);
    const steps: ProgressReport['steps'] = [
      { step: 'pull-postgres', passedAt: '2026-12-01T10:02:00.000Z', failures: 1, hintsUsed: 0 },
      { step: 'client-e-daemon', passedAt: '2026-12-01T10:01:00.000Z', failures: 0, hintsUsed: 1 },
    ];
    const first = await report(agent, { session: session.id, lab: 'arquitetura', steps });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ recorded: 2 });
    // A retry, or the same step passed again later: the first pass stays.
    expect(await (await report(agent, { session: session.id, lab: 'arquitetura', steps: [{ ...steps[0], passedAt: '2026-12-01T11:00:00.000Z', hintsUsed: 3 }] })).json()).toEqual({ recorded: 0 });
    expect(await progressOf(learner)).toEqual({
      lab: 'arquitetura',
      steps: [
        { step: 'client-e-daemon', completedAt: '2026-12-01T10:01:00.000Z', failures: 0, hintsUsed: 1 },
        { step: 'pull-postgres', completedAt: '2026-12-01T10:02:00.000Z', failures: 1, hintsUsed: 0 },
      ],
    });
    // Another learner sees none of it.
    expect((await progressOf(new Browser())).steps).toEqual([]);
  });

  it('refuses another agent, a heartbeat token, another agent\'s key, unknown steps and a malformed body', async () => {
    const [agent, other] = [await newAgentID(), await newAgentID()];
    await startFakeAgent(agent, 2);
    await startFakeAgent(other, 2);
    const { session } = await startLab(new Browser());
    const holder = (await (await fetch(`http://fake-agents.test/agents/${agent}`)).json()) as { sessions: string[] };
    const [owner, stranger] = holder.sessions.length === 1 ? [agent, other] : [other, agent];
    const valid = { session: session.id, lab: 'arquitetura', steps: [{ step: 'pull-postgres', passedAt: '2026-12-01T10:02:00.000Z', failures: 0, hintsUsed: 0 }] };

    await expectError(await report(stranger, valid), 404, 'session_not_found');
    await expectError(await report(owner, valid, await heartbeatToken(owner)), 401, 'unauthorized');
    const path = progressReportPath(owner);
    await expectError(await report(owner, valid, await heartbeatToken(owner, { key: await agentKeyOf(stranger), binding: { method: 'POST', path } })), 401, 'unauthorized');
    await expectError(await report(owner, { ...valid, steps: [{ ...valid.steps[0], step: 'fly-to-the-moon' }] }), 400, 'bad_request');
    await expectError(await report(owner, { ...valid, lab: 'outro-lab' }), 404, 'session_not_found');
    await expectError(await report(owner, '{"session":'), 400, 'invalid_body');
    await expectError(await report(owner, { ...valid, steps: [] }), 400, 'invalid_body');
    await expectError(await report(owner, { ...valid, steps: [{ ...valid.steps[0], hintsUsed: -1 }] }), 400, 'invalid_body');
    await expectError(await report(owner, { ...valid, steps: [{ ...valid.steps[0], hintsUsed: 1.5 }] }), 400, 'invalid_body');
    expect((await report(owner, valid)).status).toBe(200);
  });

  it('answers a learner who asks for a lab that does not exist', async () => {
    await expectError(await new Browser().fetch('/api/me/progress?lab=nao-existe'), 404, 'lab_not_found');
    await expectError(await new Browser().fetch('/api/me/progress?lab='), 400, 'invalid_body');
  });
});

describe('hints used', () => {
  it('are kept with the step and read back; an agent that does not count them reports none', async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    const learner = new Browser();
    const { session } = await startLab(learner);
    const response = await report(agent, {
      session: session.id,
      lab: 'arquitetura',
      steps: [
        { step: 'client-e-daemon', passedAt: '2026-12-01T10:01:00.000Z', failures: 2, hintsUsed: 1 },
        { step: 'pull-postgres', passedAt: '2026-12-01T10:02:00.000Z', failures: 0 },
      ],
    });
    expect(await response.json()).toEqual({ recorded: 2 });
    expect((await progressOf(learner)).steps.map(({ step, failures, hintsUsed }) => ({ step, failures, hintsUsed }))).toEqual([
      { step: 'client-e-daemon', failures: 2, hintsUsed: 1 },
      { step: 'pull-postgres', failures: 0, hintsUsed: 0 },
    ]);
  });
});

describe('progress across labs', () => {
  it("gives every lab of the catalog, each with the learner's passed steps in the lab's order", async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 4);
    const learner = new Browser();
    expect(await progressInEveryLab(learner)).toEqual({ labs: noProgress });
    const { session } = await startLab(learner, 'registries');
    await report(agent, {
      session: session.id,
      lab: 'registries',
      steps: [
        { step: 'tag-e-push', passedAt: '2026-12-01T10:05:00.000Z', failures: 3, hintsUsed: 1 },
        { step: 'pull-do-hub', passedAt: '2026-12-01T10:01:00.000Z', failures: 0, hintsUsed: 0 },
      ],
    });
    const other = await startLab(learner, 'arquitetura');
    await report(agent, { session: other.session.id, lab: 'arquitetura', steps: [{ step: 'client-e-daemon', passedAt: '2026-12-01T11:00:00.000Z', failures: 0, hintsUsed: 0 }] });

    expect(await progressInEveryLab(learner)).toEqual({
      labs: {
        ...noProgress,
        arquitetura: [{ step: 'client-e-daemon', completedAt: '2026-12-01T11:00:00.000Z', failures: 0, hintsUsed: 0 }],
        registries: [
          { step: 'pull-do-hub', completedAt: '2026-12-01T10:01:00.000Z', failures: 0, hintsUsed: 0 },
          { step: 'tag-e-push', completedAt: '2026-12-01T10:05:00.000Z', failures: 3, hintsUsed: 1 },
        ],
      },
    });
  });

  it("learner B sees none of learner A's progress, in one lab or across labs", async () => {
    const agent = await newAgentID();
    await startFakeAgent(agent, 2);
    const a = new Browser();
    const { session } = await startLab(a);
    await report(agent, { session: session.id, lab: 'arquitetura', steps: [{ step: 'client-e-daemon', passedAt: '2026-12-01T10:01:00.000Z', failures: 0, hintsUsed: 0 }] });
    expect((await progressInEveryLab(a)).labs.arquitetura).toHaveLength(1);

    const b = new Browser();
    expect(await progressInEveryLab(b)).toEqual({ labs: noProgress });
    expect((await progressOf(b)).steps).toEqual([]);
    // A forged cookie carrying A's id is no one's: a new learner, with nothing.
    const forged = new Browser();
    forged.cookie = a.cookie.replace(/\.[^.]*$/, '.forged');
    expect(await progressInEveryLab(forged)).toEqual({ labs: noProgress });
  });
});
