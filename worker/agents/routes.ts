// Agents report to the control plane: a heartbeat every few seconds, signed with the agent's own
// key and checked against the public key registered for that agent id (AGENT_KEYS), for this route.
import { Hono } from 'hono';
import { agentHeartbeatSchema, agentIDSchema, type HeartbeatAnswer } from '../../protocol/control-plane.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import { verifyHeartbeatToken } from '../../protocol/tokens.ts';
import type { AppEnv } from '../env';
import { jsonBody } from '../json-body';
import { LabSessions } from '../sessions/lab-sessions';
import { agentPublicKeyOf } from './agent-keys';

export const agentRoutes = new Hono<AppEnv>().post('/:id/heartbeat', async (c) => {
  const id = agentIDSchema.safeParse(c.req.param('id'));
  if (!id.success) throw new APIFailure('bad_request', 'An agent id is lower-case letters, digits and dashes.');
  const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
  if (!token) throw new APIFailure('unauthorized', 'Sign the heartbeat: Authorization: Bearer <token>.');
  const agentKey = agentPublicKeyOf(c.env, id.data);
  if (!agentKey) {
    console.log(JSON.stringify({ event: 'heartbeat.refused', agent: id.data, reason: 'no key registered in AGENT_KEYS' }));
    throw new APIFailure('unauthorized', 'The heartbeat token is not valid for this agent.');
  }
  const check = await verifyHeartbeatToken(token, { agentKey, agentID: id.data, method: c.req.method, path: c.req.path });
  if (!check.ok) {
    console.log(JSON.stringify({ event: 'heartbeat.refused', agent: id.data, reason: check.reason }));
    throw new APIFailure('unauthorized', 'The heartbeat token is not valid for this agent.');
  }
  const report = await jsonBody(c, agentHeartbeatSchema, '{"url": "https://agent1.example.org", "bootID": "<uuid>", "problem": null, "capacity": 20, "used": 3, "warm": 2, "sessions": []}');
  await c.env.POOL.get(c.env.POOL.idFromName('pool')).heartbeat(id.data, report);
  // The agent's report is taken at once; ending the sessions it no longer holds (all of them, when it
  // restarted) may wait on calls to it.
  const sessions = new LabSessions(c.env);
  c.executionCtx.waitUntil(sessions.settleAgent(id.data, report.bootID, report.sessions));
  return c.json({ remove: await sessions.unknownOn(id.data, report.sessions) } satisfies HeartbeatAnswer);
});
