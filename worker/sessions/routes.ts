// A learner's lab sessions: start (or find again), look, extend, end.
import { Hono } from 'hono';
import { startLabSessionRequestSchema } from '../../protocol/control-plane.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import { labs } from '../../src/labs/index.ts';
import type { AppEnv } from '../env';
import { jsonBody } from '../json-body';
import { LabSessions } from './lab-sessions';

export const sessionRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const { lab: labID } = await jsonBody(c, startLabSessionRequestSchema, '{"lab": "arquitetura"}');
    const lab = labs.get(labID);
    if (!lab) throw new APIFailure('lab_not_found', `There is no lab "${labID}".`);
    const session = await new LabSessions(c.env).start(c.get('learner').id, lab.id, lab.hosts);
    return c.json(session, session.state === 'queued' ? 202 : 200);
  })
  .get('/:id', async (c) => c.json(await new LabSessions(c.env).view(c.get('learner').id, c.req.param('id'))))
  .post('/:id/extend', async (c) => c.json(await new LabSessions(c.env).extend(c.get('learner').id, c.req.param('id'))))
  .delete('/:id', async (c) => c.json(await new LabSessions(c.env).end(c.get('learner').id, c.req.param('id'))))
  // The host's terminal: the learner's WebSocket, passed through to the agent with a token for it.
  .get('/:id/hosts/:host/terminal', async (c) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      throw new APIFailure('bad_request', 'This is a WebSocket endpoint: send Upgrade: websocket.');
    }
    // A WebSocket handshake carries the learner's cookie from any page: only ours may open one.
    if (c.req.header('origin') !== new URL(c.req.url).origin) throw new APIFailure('forbidden', 'Terminals open from Doca pages only.');
    const { agent, path } = await new LabSessions(c.env).terminalTarget(c.get('learner').id, c.req.param('id'), c.req.param('host'));
    return fetch(`${agent.url}${path}`, { headers: { upgrade: 'websocket', authorization: `Bearer ${await agent.token()}` } });
  });
