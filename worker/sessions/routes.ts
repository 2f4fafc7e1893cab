// A learner's lab sessions: start (or find again), look, extend, end.
import { Hono } from 'hono';
import { startLabSessionRequestSchema } from '../../protocol/control-plane.ts';
import { APIFailure, validBody } from '../../protocol/http-errors.ts';
import { labs } from '../../src/labs/index.ts';
import type { AppEnv } from '../env';
import { jsonBody } from '../json-body';
import { addressLimitsOf, enforce } from '../limits/address-limits';
import { clientAddress } from '../limits/client-address';
import { LabSessions } from './lab-sessions';

export const sessionRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const { lab } = validBody(startLabSessionRequestSchema, { lab: c.req.query('lab') });
    return c.json({ session: await new LabSessions(c.env).current(c.get('learner').id, lab) });
  })
  .post('/', async (c) => {
    const { lab: labID } = await jsonBody(c, startLabSessionRequestSchema, '{"lab": "arquitetura"}');
    const lab = labs.get(labID);
    if (!lab) throw new APIFailure('lab_not_found', `There is no lab "${labID}".`);
    // Before the session's object is asked: a Start past the address's cap makes no row and no agent call.
    enforce(await addressLimitsOf(c.env, clientAddress(c.req.raw)).admitStart(c.get('learner').id, lab.id));
    const session = await new LabSessions(c.env).start(c.get('learner').id, lab.id, lab.hosts);
    return c.json(session, session.state === 'queued' || session.state === 'starting' ? 202 : 200);
  })
  .get('/:id', async (c) => c.json(await new LabSessions(c.env).view(c.get('learner').id, c.req.param('id'))))
  .post('/:id/extend', async (c) => c.json(await new LabSessions(c.env).extend(c.get('learner').id, c.req.param('id'))))
  .post('/:id/check', async (c) => c.json({ steps: await new LabSessions(c.env).check(c.get('learner').id, c.req.param('id')) }))
  .delete('/:id', async (c) => c.json(await new LabSessions(c.env).end(c.get('learner').id, c.req.param('id'))))
  // The host's terminal: the learner's WebSocket, passed through to the agent with a token for it.
  .get('/:id/hosts/:host/terminal', async (c) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      throw new APIFailure('bad_request', 'This is a WebSocket endpoint: send Upgrade: websocket.');
    }
    // A WebSocket handshake carries the learner's cookie from any page: only ours may open one.
    if (c.req.header('origin') !== new URL(c.req.url).origin) throw new APIFailure('forbidden', 'Terminals open from Doca pages only.');
    const { agent, path } = await new LabSessions(c.env).hostTarget(c.get('learner').id, c.req.param('id'), c.req.param('host'));
    const token = await agent.token({ method: 'GET', path: `${path}/terminal` });
    return fetch(`${agent.url}${path}/terminal`, { headers: { upgrade: 'websocket', authorization: `Bearer ${token}` } });
  })
  // Port preview: a port the learner published, opened in a tab. Only its learner gets through.
  .all('/:id/hosts/:host/ports/:port{[0-9]+}/*', async (c) => {
    const { agent, path } = await new LabSessions(c.env).hostTarget(c.get('learner').id, c.req.param('id'), c.req.param('host'));
    const url = new URL(c.req.url);
    // The app's relative links resolve under its own prefix only with the trailing slash.
    if (url.pathname.endsWith(`/ports/${c.req.param('port')}`)) return c.redirect(`${url.pathname}/${url.search}`, 301);
    const rest = url.pathname.slice(url.pathname.indexOf(`/ports/${c.req.param('port')}/`) + `/ports/${c.req.param('port')}`.length);
    const headers = new Headers(c.req.raw.headers);
    headers.delete('cookie'); // the learner's identity stays here
    // Bound to this port, not to the sub-path: every path under it reaches the same learner's app,
    // which the learner controls anyway; the agent resolves the path before it checks the prefix.
    headers.set('authorization', `Bearer ${await agent.token({ method: c.req.method, pathPrefix: `${path}/ports/${c.req.param('port')}` })}`);
    const response = await fetch(`${agent.url}${path}/ports/${c.req.param('port')}${rest}${url.search}`, {
      method: c.req.method,
      headers,
      body: ['GET', 'HEAD'].includes(c.req.method) ? undefined : c.req.raw.body,
      redirect: 'manual',
    });
    const proxied = new Response(response.body, response);
    // What a learner's container serves runs as an opaque origin: no access to Doca's cookies or API.
    proxied.headers.set('content-security-policy', 'sandbox allow-scripts allow-forms allow-popups');
    proxied.headers.delete('set-cookie');
    return proxied;
  });
