// Agents report to the control plane: a heartbeat every few seconds, signed with the shared secret.
import { Hono } from 'hono';
import { jwtVerify } from 'jose';
import { agentHeartbeatSchema, agentIDSchema, heartbeatAudience, heartbeatIssuer, type HeartbeatAnswer } from '../../protocol/control-plane.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import type { AppEnv } from '../env';
import { jsonBody } from '../json-body';
import { LabSessions } from '../sessions/lab-sessions';

export const agentRoutes = new Hono<AppEnv>().post('/:id/heartbeat', async (c) => {
  const id = agentIDSchema.safeParse(c.req.param('id'));
  if (!id.success) throw new APIFailure('bad_request', 'An agent id is lower-case letters, digits and dashes.');
  const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
  if (!token) throw new APIFailure('unauthorized', 'Sign the heartbeat: Authorization: Bearer <token>.');
  try {
    await jwtVerify(token, new TextEncoder().encode(c.env.AGENT_SECRET), {
      issuer: heartbeatIssuer(id.data),
      audience: heartbeatAudience,
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
    });
  } catch {
    throw new APIFailure('unauthorized', 'The heartbeat token is not valid for this agent.');
  }
  const report = await jsonBody(c, agentHeartbeatSchema, '{"url": "http://10.0.0.2:7070", "bootID": "<uuid>", "problem": null, "capacity": 20, "used": 3, "warm": 2, "sessions": []}');
  const change = await c.env.POOL.get(c.env.POOL.idFromName('pool')).heartbeat(id.data, report);
  // The agent's report is taken at once; ending the sessions of its earlier start may wait on calls to it.
  const sessions = new LabSessions(c.env);
  if (change.restarted) c.executionCtx.waitUntil(sessions.settleRestartedAgent(id.data, report.bootID));
  return c.json({ remove: await sessions.unknownOn(id.data, report.sessions) } satisfies HeartbeatAnswer);
});
