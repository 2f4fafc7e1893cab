// A class's push channel: a Durable Object per class (named by its id). Instructors' pages hold a
// hibernatable WebSocket each; the control plane pokes the room when a member's cells, presence or
// help change, and the room sends it to every page. It also bridges help mode (watch-bridge.ts),
// and keeps the class's clock with its alarm: it tells the pages when the class opens, ends the
// class at its end time, and deletes the class's data CLASS_RETENTION_DAYS after it ended.
import { DurableObject } from 'cloudflare:workers';
import { instructorSubprotocol, watchCloseCodes, type ClassLiveMessage } from '../../protocol/classes.ts';
import { errorBody } from '../../protocol/http-errors.ts';
import type { Bindings } from '../env';
import { ClassRecords } from './class-records';
import { nextMoment, retentionMsOf, summaryOf } from './class-state';
import { endClass, eraseClass } from './class-lifecycle';
import { bridge, type WatchBridge } from './watch-bridge';

/** What the worker passes the room with a watch request: whose terminal, where, and the agent's token. */
export const watchHeaders = { member: 'doca-watch-member', url: 'doca-watch-url', token: 'doca-watch-token' } as const;

export class ClassRoom extends DurableObject<Bindings> {
  /** Open help-mode views; they hold an outgoing socket, so the room stays awake while any is open. */
  #watches = new Set<WatchBridge>();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    // A page's keep-alive is answered without waking the room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  /** Names the room's class and sets its clock from what D1 says of the class now. */
  async schedule(classID: string): Promise<void> {
    await this.ctx.storage.put('class', classID);
    const row = await new ClassRecords(this.env).byID(classID);
    const next = row && nextMoment(row, Date.now(), retentionMsOf(this.env));
    if (next) await this.ctx.storage.setAlarm(next.at);
    else await this.ctx.storage.deleteAlarm();
  }

  /** `/live`: an instructor's page joins the channel; `/watch`: help mode. The worker checked the secret. */
  override async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === '/watch') return this.#watch(request);
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client, headers: { 'sec-websocket-protocol': instructorSubprotocol } });
  }

  /** Sends a change to every instructor's page; help ending also ends that learner's help-mode views. */
  push(message: ClassLiveMessage): number {
    const text = JSON.stringify(message);
    const sockets = this.ctx.getWebSockets();
    for (const socket of sockets) {
      try {
        socket.send(text);
      } catch {
        // a page that went away; its close reaches webSocketClose
      }
    }
    if ((message.type === 'help' && !message.requested) || message.type === 'removed') this.#endWatches(message.learner, watchCloseCodes.helpEnded);
    if (message.type === 'class' && message.class.state === 'ended') this.#endWatches(null, watchCloseCodes.helpEnded);
    return sockets.length;
  }

  /** The class was deleted: every page and view is closed, and the room keeps nothing. */
  async close(): Promise<void> {
    this.#endWatches(null, watchCloseCodes.classDeleted);
    for (const socket of this.ctx.getWebSockets()) socket.close(watchCloseCodes.classDeleted, 'the class was deleted');
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  override webSocketMessage(): void {
    // The channel only sends; what a page sends besides "ping" is ignored.
  }

  override webSocketClose(socket: WebSocket, code: number, reason: string): void {
    try {
      socket.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }

  override async alarm(): Promise<void> {
    const classID = await this.ctx.storage.get<string>('class');
    const row = classID ? await new ClassRecords(this.env).byID(classID) : null;
    if (!row) return this.close();
    const now = Date.now();
    const moment = nextMoment(row, now, retentionMsOf(this.env));
    if (moment?.kind === 'erase' && moment.at <= now) {
      await eraseClass(this.env, row.id);
      console.log(JSON.stringify({ event: 'class.expired', class: row.id }));
      return this.close();
    }
    if (moment?.kind === 'end' && moment.at <= now) await endClass(this.env, row, this);
    else this.push({ type: 'class', class: summaryOf(row, now) }); // it opened: the pages say so
    await this.schedule(row.id);
  }

  #endWatches(member: string | null, code: number): void {
    for (const watch of [...this.#watches]) if (member === null || watch.member === member) watch.close(code, 'help ended');
  }

  async #watch(request: Request): Promise<Response> {
    const member = request.headers.get(watchHeaders.member)!;
    let upstream: Response;
    try {
      upstream = await fetch(request.headers.get(watchHeaders.url)!, { headers: { upgrade: 'websocket', authorization: `Bearer ${request.headers.get(watchHeaders.token)}` } });
    } catch (error) {
      console.log(JSON.stringify({ event: 'watch.unreachable', member, error: String(error) }));
      return Response.json(errorBody('agent_unavailable', 'The sandbox host did not answer; try again.'), { status: 503 });
    }
    if (!upstream.webSocket) {
      console.log(JSON.stringify({ event: 'watch.refused', member, status: upstream.status, body: (await upstream.text()).slice(0, 200) }));
      return Response.json(errorBody('host_not_found', "The learner's terminal is not there now."), { status: 404 });
    }
    upstream.webSocket.accept();
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    const watch = bridge(member, server, upstream.webSocket, (ended) => this.#watches.delete(ended));
    this.#watches.add(watch);
    // Help may have ended while the agent was asked: the push that said so found no view to close.
    const classID = await this.ctx.storage.get<string>('class');
    const still = classID ? await new ClassRecords(this.env).member(classID, member) : null;
    if (still?.help_requested !== 1) watch.close(watchCloseCodes.helpEnded, 'help ended');
    return new Response(null, { status: 101, webSocket: client, headers: { 'sec-websocket-protocol': instructorSubprotocol } });
  }
}

export const classRoomOf = (env: Pick<Bindings, 'CLASS_ROOM'>, classID: string) => env.CLASS_ROOM.get(env.CLASS_ROOM.idFromName(classID));
