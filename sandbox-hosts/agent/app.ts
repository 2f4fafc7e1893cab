// The agent's HTTP API: sessions of sandbox hosts, capacity and health, for the control plane only.
import { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import { createSessionRequestSchema, type AgentCapacity, type Session } from '../../protocol/index.ts';
import { APIFailure, handleError } from '../../protocol/http-errors.ts';
import type { SandboxSessions, SessionRecord } from '../sandbox/session.ts';
import { requireControlPlane, type AgentAuthOptions } from './auth.ts';

export interface AgentOptions extends AgentAuthOptions {
  sessions: SandboxSessions;
  /** How many sandbox hosts this machine may hold at once. */
  capacity: number;
  /** Seconds a refused client should wait before asking again. */
  retryAfterSeconds?: number;
}

interface HeldSession {
  record: SessionRecord;
  createdAt: string;
}

export function createAgentApp(options: AgentOptions) {
  const held = new Map<string, HeldSession>();
  let reservedHosts = 0; // hosts being created, counted before they exist so parallel requests can't overshoot
  const usedHosts = () => reservedHosts + [...held.values()].reduce((sum, s) => sum + s.record.hosts.length, 0);
  const view = ({ record, createdAt }: HeldSession): Session => ({
    id: record.id,
    hosts: record.hosts.map((host) => ({ name: host.name, address: host.address })),
    createdAt,
  });
  const find = (id: string) => {
    const session = held.get(id);
    if (!session) throw new APIFailure('session_not_found', `No session ${id} on this agent.`);
    return session;
  };

  return new Hono()
    .use('*', requireControlPlane(options))
    .get('/health', (c) => c.json({ ok: true as const }))
    .get('/capacity', (c) =>
      c.json({ agentID: options.agentID, capacity: options.capacity, used: usedHosts(), sessions: held.size } satisfies AgentCapacity),
    )
    .post('/sessions', async (c) => {
      const body = await c.req.json().catch(() => {
        throw new APIFailure('invalid_body', 'The body must be JSON, e.g. {"hostCount": 2}.');
      });
      const parsed = createSessionRequestSchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new APIFailure('invalid_body', `${issue.path.join('.') || 'body'}: ${issue.message}`);
      }
      const { hostCount } = parsed.data;
      if (usedHosts() + hostCount > options.capacity) {
        throw new APIFailure('capacity_exhausted', 'This sandbox host is full.', {
          'Retry-After': String(options.retryAfterSeconds ?? 30),
        });
      }
      reservedHosts += hostCount;
      try {
        const record = await options.sessions.create(hostCount, randomBytes(4).toString('hex'));
        const session = { record, createdAt: new Date().toISOString() };
        held.set(record.id, session);
        console.log(JSON.stringify({ event: 'session.created', session: record.id, hosts: hostCount }));
        return c.json(view(session), 201);
      } finally {
        reservedHosts -= hostCount;
      }
    })
    .get('/sessions', (c) => c.json([...held.values()].map(view)))
    .get('/sessions/:id', (c) => c.json(view(find(c.req.param('id')))))
    .delete('/sessions/:id', async (c) => {
      const session = find(c.req.param('id'));
      held.delete(session.record.id);
      await options.sessions.destroy(session.record);
      console.log(JSON.stringify({ event: 'session.deleted', session: session.record.id }));
      return c.body(null, 204);
    })
    .notFound(() => {
      throw new APIFailure('not_found', 'No such agent route.');
    })
    .onError(handleError);
}
