// Test clients for classes: an instructor (holds the class's secret), learners joining, an agent
// reporting a session's activity, and the instructor's live channel as a page holds it.
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { activityReportPath, apiErrorSchema, classLiveMessageSchema, createdClassSchema, instructorSubprotocol, type ActivityReport, type ClassLiveMessage, type CreatedClass } from '../../protocol/index.ts';
import { Browser, heartbeatToken, request } from './clients';

export async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(apiErrorSchema.parse(await response.json()).error.code).toBe(code);
}

export async function createClass(body: Record<string, unknown> = {}): Promise<CreatedClass> {
  const response = await new Browser().fetch('/api/classes', { method: 'POST', body: { name: 'Turma de sábado', labs: ['arquitetura'], ...body } });
  expect(response.status).toBe(201);
  return createdClassSchema.parse(await response.json());
}

/** A request as the instructor makes it, with the class's secret (or another one). */
export function asInstructor(path: string, secret: string | null, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  return request(path, {
    method: init.method ?? 'GET',
    headers: { ...(secret === null ? {} : { authorization: `Bearer ${secret}` }), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

export async function join(browser: Browser, code: string, displayName?: string) {
  return browser.fetch('/api/classes/join', { method: 'POST', body: { code, ...(displayName === undefined ? {} : { displayName }) } });
}

/** The learner's id in the class, as the instructor's grid names them. */
export async function memberIDOf(browser: Browser, classID: string): Promise<string> {
  const learner = ((await browser.fetch('/api/me').then((r) => r.json())) as { id: string }).id;
  const row = await env.DB.prepare('SELECT member_id FROM class_members WHERE class_id = ? AND learner_id = ?').bind(classID, learner).first<{ member_id: string }>();
  return row!.member_id;
}

export async function sendActivity(agentID: string, report: ActivityReport, token?: string) {
  return request(activityReportPath(agentID), {
    method: 'POST',
    headers: { authorization: `Bearer ${token ?? (await heartbeatToken(agentID, { binding: { method: 'POST', path: activityReportPath(agentID) } }))}`, 'content-type': 'application/json' },
    body: JSON.stringify(report),
  });
}

/** A step as an agent reports it: working since now, no attempts, unless `step` says otherwise. */
export const reported = (step: string, more: Partial<ActivityReport['steps'][number]> = {}): ActivityReport['steps'][number] => ({
  step,
  state: 'working',
  attempts: 0,
  hintsUsed: 0,
  since: '2026-12-01T10:00:00.000Z',
  passedAt: null,
  lastReason: null,
  ...more,
});

/** Opens a socket with the subprotocols a browser would send. */
export const upgrade = (path: string, protocols: string[]) => request(path, { headers: { upgrade: 'websocket', 'sec-websocket-protocol': protocols.join(', ') } });

/** The instructor's live channel: every message kept, waited for by a test. */
export class LiveChannel {
  readonly messages: ClassLiveMessage[] = [];
  readonly socket: WebSocket;
  #waiters: (() => void)[] = [];

  static async open(classID: string, secret: string): Promise<LiveChannel> {
    const response = await upgrade(`/api/classes/${classID}/live`, [instructorSubprotocol, secret]);
    expect(response.status).toBe(101);
    expect(response.headers.get('sec-websocket-protocol')).toBe(instructorSubprotocol);
    return new LiveChannel(response.webSocket!);
  }

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.accept();
    socket.addEventListener('message', (event) => {
      this.messages.push(classLiveMessageSchema.parse(JSON.parse(event.data as string)));
      this.#waiters.splice(0).forEach((wake) => wake());
    });
  }

  /** The first message (from now on, or already received) that matches. */
  async next<T extends ClassLiveMessage['type']>(type: T, match: (message: Extract<ClassLiveMessage, { type: T }>) => boolean = () => true, timeoutMs = 3_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((message): message is Extract<ClassLiveMessage, { type: T }> => message.type === type && match(message as Extract<ClassLiveMessage, { type: T }>));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no "${type}" message in ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((wake) => {
        this.#waiters.push(wake);
        setTimeout(wake, 50);
      });
    }
  }
}
