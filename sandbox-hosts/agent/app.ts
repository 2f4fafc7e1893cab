// The agent's API for the control plane: sessions of sandbox hosts, their terminals (WebSocket) and
// Docker events, capacity and health. Every route needs a control-plane token.
import { upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { WSContext } from 'hono/ws';
import type { WebSocket } from 'ws';
import type { ZodType } from 'zod';
import {
  createSessionRequestSchema,
  extendSessionRequestSchema,
  type AgentCapacity,
  type DockerEvent,
} from '../../protocol/index.ts';
import type { ErrorCode } from '../../protocol/api.ts';
import type { LabCheck, SessionStarting } from '../../protocol/agent.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { APIFailure, handleError, validBody } from '../../protocol/http-errors.ts';
import type { TerminalSocket } from '../terminal/host-terminal.ts';
import { requireControlPlane, type AgentAuthOptions } from './auth.ts';
import type { LiveSession } from './live-session.ts';
import type { LiveSessions } from './live-sessions.ts';

/** How often a watcher's socket is looked at for a close frame it got (help mode's banner ends within this). */
const watcherClosingCheckMs = 250;

export interface AgentOptions extends AgentAuthOptions {
  live: LiveSessions;
  /** The labs a session may be started for, by id. */
  labs: ReadonlyMap<string, { hosts: number }>;
  /** Seconds a refused client should wait before asking again. */
  retryAfterSeconds?: number;
  /**
   * How long a session request waits for its session before answering `202 starting` (the caller
   * asks again with the same key): well under the control plane's own timeout for the call.
   */
  createWaitMs?: number;
}

export function createAgentApp(options: AgentOptions) {
  const { live } = options;
  const retryAfter = String(options.retryAfterSeconds ?? 30);

  // The domain answers "not there" with undefined; here, at the edge, that becomes a 404 with a code.
  const sessionOf = (id: string): LiveSession => live.find(id) ?? fail('session_not_found', `No session ${id} on this agent.`);
  const hostOf = (session: LiveSession, name: string) => session.findHost(name) ?? fail('host_not_found', `Session ${session.id} has no host "${name}"; it has ${[...session.terminals.keys()].join(', ')}.`);
  const terminalOf = (id: string, host: string) => {
    const session = sessionOf(id);
    hostOf(session, host);
    return session.terminals.get(host)!;
  };

  return new Hono()
    .use('*', requireControlPlane(options))
    .get('/health', (c) => c.json({ ok: true as const }))
    .get('/capacity', (c) =>
      c.json({
        agentID: options.agentID,
        capacity: live.capacity,
        used: live.usedHosts,
        sessions: live.list().length,
        warm: live.warmHosts,
        problem: live.problem ?? null,
      } satisfies AgentCapacity),
    )
    .post('/sessions', async (c) => {
      const request = await readBody(c.req.raw, createSessionRequestSchema, '{"lab": "arquitetura"} or {"hostCount": 2}', true);
      const lab = request.lab === undefined ? undefined : options.labs.get(request.lab);
      if (request.lab !== undefined && !lab) {
        throw new APIFailure('lab_not_found', `There is no lab "${request.lab}"; labs: ${[...options.labs.keys()].join(', ')}.`);
      }
      const hostCount = lab?.hosts ?? request.hostCount ?? 1;
      const creation = live.create(hostCount, request.lab, request.key);
      const created = request.key === undefined ? await creation : await within(creation, options.createWaitMs ?? 10_000);
      if (created === undefined) return c.json({ key: request.key!, state: 'starting' } satisfies SessionStarting, 202);
      if (!created.ok) {
        live.log({ event: 'session.refused', code: created.code, reason: created.message });
        throw new APIFailure(created.code, created.message, created.code === 'capacity_exhausted' ? { 'Retry-After': retryAfter } : undefined);
      }
      const { session, warm } = created.value;
      live.log({ event: 'session.created', session: session.id, lab: request.lab ?? null, hosts: hostCount, warm });
      return c.json(session.view(), 201);
    })
    .get('/sessions', (c) => c.json(live.list().map((session) => session.view())))
    .get('/sessions/:id', (c) => c.json(sessionOf(c.req.param('id')).view()))
    .post('/sessions/:id/extend', async (c) => {
      const session = sessionOf(c.req.param('id'));
      const { seconds } = await readBody(c.req.raw, extendSessionRequestSchema, '{"seconds": 1800}', true);
      return c.json(live.extend(session, seconds).view());
    })
    // The lab's steps, checked now (the page's Check button); progress also arrives by itself.
    .post('/sessions/:id/check', async (c) => {
      const session = sessionOf(c.req.param('id'));
      if (!session.checks) throw new APIFailure('lab_not_found', `Session ${session.id} is not a lab's: it has no steps to check.`);
      return c.json({ steps: await session.checks.checkNow() } satisfies LabCheck);
    })
    .delete('/sessions/:id', async (c) => {
      if (!(await live.delete(c.req.param('id')))) sessionOf(c.req.param('id'));
      return c.body(null, 204);
    })
    .get('/sessions/:id/events', (c) => {
      const session = sessionOf(c.req.param('id'));
      return c.json(session.events.page(afterParam(c.req.query('after'))));
    })
    // Server-sent events: the recorded events after `after` (or Last-Event-ID), then live ones.
    .get('/sessions/:id/events/stream', (c) => {
      const session = sessionOf(c.req.param('id'));
      const after = afterParam(c.req.query('after') ?? c.req.header('last-event-id'));
      return streamSSE(c, async (stream) => {
        const queue: DockerEvent[] = [];
        let wake: (() => void) | undefined;
        const unsubscribe = session.events.subscribe((event) => {
          queue.push(event);
          wake?.();
        });
        const stop = () => wake?.();
        session.ended.addEventListener('abort', stop);
        stream.onAbort(stop);
        try {
          let sent = after;
          for (let page = session.events.page(sent); page.events.length > 0; page = session.events.page(sent)) {
            for (const event of page.events) await stream.writeSSE({ id: String(event.seq), event: 'docker', data: JSON.stringify(event) });
            sent = page.events.at(-1)!.seq;
          }
          while (!stream.aborted && !session.ended.aborted) {
            if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            for (const event of queue.splice(0)) {
              if (event.seq <= sent) continue;
              await stream.writeSSE({ id: String(event.seq), event: 'docker', data: JSON.stringify(event) });
              sent = event.seq;
            }
          }
        } finally {
          unsubscribe();
          session.ended.removeEventListener('abort', stop);
        }
      });
    })
    // The learner's terminal; with `?mode=watch`, a read-only view of it (help mode: the class's instructor).
    .get(
      '/sessions/:id/hosts/:host/terminal',
      async (c, next) => {
        terminalOf(c.req.param('id'), c.req.param('host'));
        if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
          throw new APIFailure('bad_request', 'This is a WebSocket endpoint: send Upgrade: websocket.');
        }
        const mode = c.req.query('mode');
        if (mode !== undefined && mode !== 'watch') throw new APIFailure('bad_request', "The only mode is `watch` (read-only); without it the socket is the learner's.");
        await next();
      },
      upgradeWebSocket((c) => {
        const terminal = terminalOf(c.req.param('id')!, c.req.param('host')!);
        const watching = c.req.query('mode') === 'watch';
        const where = { session: c.req.param('id'), host: c.req.param('host'), ...(watching ? { watcher: true } : {}) };
        let socket: TerminalSocket | undefined;
        let closing: ReturnType<typeof setInterval> | undefined;
        return {
          onOpen: (_event, ws) => {
            socket = terminalSocketOf(ws);
            if (!watching) return terminal.attach(socket);
            terminal.watch(socket);
            // A watcher's close frame ends its watch at once: the socket's own close event waits for
            // the peer to finish closing TCP, which a proxy may leave open for the 30 s close timeout,
            // and the learner's "watched" banner would stay up that long.
            const watcher = socket;
            closing = setInterval(() => {
              if (ws.readyState === 1) return;
              clearInterval(closing);
              terminal.unwatch(watcher);
            }, watcherClosingCheckMs);
          },
          onMessage: (event, _ws) => {
            if (!socket) return;
            const data = event.data;
            if (typeof data === 'string') terminal.receive(socket, data, false);
            else terminal.receive(socket, Buffer.from(data as ArrayBuffer), true);
          },
          onClose: () => {
            clearInterval(closing);
            if (socket && watching) terminal.unwatch(socket);
            else if (socket) terminal.detach(socket);
          },
          // e.g. a frame over the size limit: ws has closed that socket (1009); the terminal goes on.
          onError: (event) => live.log({ event: 'terminal.socket_error', ...where, error: String((event as ErrorEvent).error ?? event) }),
        };
      }),
    )
    // Port preview: HTTP to a port the learner published on one of their hosts (from the bridge
    // address, which the host's firewall lets in).
    .all('/sessions/:id/hosts/:host/ports/:port{[0-9]+}/*', async (c) => {
      const host = hostOf(sessionOf(c.req.param('id')), c.req.param('host'));
      const port = Number(c.req.param('port'));
      if (port < 1 || port > 65535) throw new APIFailure('bad_request', 'A port is a number from 1 to 65535.');
      const url = new URL(c.req.url);
      const prefix = `/sessions/${c.req.param('id')}/hosts/${c.req.param('host')}/ports/${port}`;
      const target = `http://${host.address}:${port}${url.pathname.slice(prefix.length) || '/'}${url.search}`;
      const headers = new Headers(c.req.raw.headers);
      // accept-encoding goes too: Node's fetch would decode the body but keep the encoding header.
      for (const name of ['authorization', 'host', 'connection', 'cookie', 'accept-encoding']) headers.delete(name);
      try {
        const response = await fetch(target, {
          method: c.req.method,
          headers,
          body: ['GET', 'HEAD'].includes(c.req.method) ? undefined : c.req.raw.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(30_000),
          // @ts-expect-error Node's fetch needs this to stream a request body.
          duplex: 'half',
        });
        const answer = new Headers(response.headers);
        for (const name of ['content-encoding', 'content-length', 'transfer-encoding', 'connection']) answer.delete(name);
        return new Response(response.body, { status: response.status, headers: answer });
      } catch {
        throw new APIFailure('port_not_open', `Nothing answers on ${c.req.param('host')} port ${port}: publish one with docker run -p ${port}:…`);
      }
    })
    .notFound(() => {
      throw new APIFailure('not_found', 'No such agent route.');
    })
    .onError(handleError);
}

/** The terminal's view of a `ws` socket: bytes with a callback once sent, its own buffer, and reading held back. */
function terminalSocketOf(ws: WSContext): TerminalSocket {
  const raw = ws.raw as WebSocket;
  return {
    sendBytes: (data, sent) => raw.send(data, sent && (() => sent())),
    sendText: (text) => raw.send(text),
    close: (code, reason) => raw.close(code, reason),
    get bufferedAmount() {
      return raw.bufferedAmount;
    },
    pauseInput: () => raw.pause(),
    resumeInput: () => raw.resume(),
  };
}

/** The promise's value, or undefined once `ms` have passed without one (the promise goes on). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  const timer = new AbortController();
  try {
    return await Promise.race([promise, sleep(ms, undefined, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

function fail(code: ErrorCode, message: string): never {
  throw new APIFailure(code, message);
}

/** The JSON body, validated; a missing body counts as `{}` where every field is optional. */
async function readBody<T>(request: Request, schema: ZodType<T>, example: string, emptyIsObject = false): Promise<T> {
  const text = await request.text();
  let body: unknown;
  try {
    body = text === '' && emptyIsObject ? {} : JSON.parse(text);
  } catch {
    throw new APIFailure('invalid_body', `The body must be JSON, e.g. ${example}.`);
  }
  return validBody(schema, body);
}

function afterParam(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  if (!/^\d{1,15}$/.test(value)) throw new APIFailure('bad_request', '`after` is the seq of the last event seen: a whole number.');
  return Number(value);
}
