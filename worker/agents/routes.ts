// Agents report to the control plane: a heartbeat every few seconds, the lab steps their checks
// saw passed, and what a session's checks and shells did (for the learner's class), each signed with the agent's own key and checked against the public key registered for
// that agent id (AGENT_KEYS), for its route.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { activityReportSchema } from '../../protocol/classes.ts';
import { agentHeartbeatSchema, agentIDSchema, progressReportSchema, type HeartbeatAnswer } from '../../protocol/control-plane.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import { verifyHeartbeatToken } from '../../protocol/tokens.ts';
import type { AppEnv } from '../env';
import { recordActivity } from '../classes/class-activity';
import { jsonBody } from '../json-body';
import { LabProgress } from '../sessions/lab-progress';
import { LabSessions } from '../sessions/lab-sessions';
import { agentPublicKeyOf } from './agent-keys';

/** The agent the request comes from: its id from the path, its token checked against its registered key for this request. */
async function reportingAgent(c: Context<AppEnv>): Promise<string> {
  const id = agentIDSchema.safeParse(c.req.param('id'));
  if (!id.success) throw new APIFailure('bad_request', 'An agent id is lower-case letters, digits and dashes.');
  const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
  if (!token) throw new APIFailure('unauthorized', 'Sign the report: Authorization: Bearer <token>.');
  const agentKey = agentPublicKeyOf(c.env, id.data);
  if (!agentKey) {
    console.log(JSON.stringify({ event: 'agent_report.refused', agent: id.data, path: c.req.path, reason: 'no key registered in AGENT_KEYS' }));
    throw new APIFailure('unauthorized', 'The token is not valid for this agent.');
  }
  const check = await verifyHeartbeatToken(token, { agentKey, agentID: id.data, method: c.req.method, path: c.req.path });
  if (!check.ok) {
    console.log(JSON.stringify({ event: 'agent_report.refused', agent: id.data, path: c.req.path, reason: check.reason }));
    throw new APIFailure('unauthorized', 'The token is not valid for this agent.');
  }
  return id.data;
}

/** Steps and commands at their limits fit several times over; more is not a report. */
const activityReportMaxBytes = 512 * 1024;

function tooLarge(): never {
  throw new APIFailure('invalid_body', `An activity report is at most ${activityReportMaxBytes} bytes.`);
}

export const agentRoutes = new Hono<AppEnv>()
  .post('/:id/heartbeat', async (c) => {
    const agentID = await reportingAgent(c);
    const report = await jsonBody(c, agentHeartbeatSchema, '{"url": "https://agent1.example.org", "bootID": "<uuid>", "problem": null, "capacity": 20, "used": 3, "warm": 2, "sessions": []}');
    await c.env.POOL.get(c.env.POOL.idFromName('pool')).heartbeat(agentID, report);
    // The agent's report is taken at once; ending the sessions it no longer holds (all of them, when it
    // restarted) may wait on calls to it.
    const sessions = new LabSessions(c.env);
    c.executionCtx.waitUntil(sessions.settleAgent(agentID, report.bootID, report.sessions));
    return c.json({ remove: await sessions.unknownOn(agentID, report.sessions) } satisfies HeartbeatAnswer);
  })
  // Steps an agent's checks saw passed, kept for the learner: on another device, after a reload, after an agent restart.
  .post('/:id/progress', async (c) => {
    const agentID = await reportingAgent(c);
    const report = await jsonBody(c, progressReportSchema, '{"session": "<session id>", "lab": "arquitetura", "steps": [{"step": "pull-postgres", "passedAt": "2026-12-01T10:00:00.000Z", "failures": 0}]}');
    return c.json({ recorded: await new LabProgress(c.env).record(agentID, report) });
  })
  // A session's step states and finished commands, for the learner's class (nothing is kept for a learner in none).
  .post('/:id/activity', bodyLimit({ maxSize: activityReportMaxBytes, onError: tooLarge }), async (c) => {
    const agentID = await reportingAgent(c);
    const report = await jsonBody(c, activityReportSchema, '{"session": "<session id>", "lab": "arquitetura", "steps": [], "commands": []}');
    return c.json({ recorded: await recordActivity(c.env, agentID, report) });
  });
