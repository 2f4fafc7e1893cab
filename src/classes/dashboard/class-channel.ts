// The instructor page's end of the class's push channel: a WebSocket authenticated by the class's
// secret as a subprotocol, kept alive with pings, reconnected with capped, jittered backoff. Each
// (re)connection is reported before any message on it, so the page reloads the grid then and
// misses nothing that changed while it was away.
import { classLiveMessageSchema, instructorSubprotocol, watchCloseCodes, type ClassLiveMessage } from '../../../protocol/classes.ts';

export type ChannelState = 'connecting' | 'live' | 'lost';

export interface ChannelEvents {
  /** The socket is open: load the grid now (messages that arrive meanwhile are the page's to hold). */
  onOpen: () => void;
  onMessage: (message: ClassLiveMessage) => void;
  onState: (state: ChannelState) => void;
  /** The socket never opened: the page checks whether the secret still opens the class. */
  onRefused: () => void;
  /** The class was deleted: the channel stays closed. */
  onDeleted: () => void;
}

const backoff = { firstMs: 1_000, maxMs: 15_000 };
/** The room answers "ping" without waking; a quiet socket would otherwise be closed by something in between. */
const pingEveryMs = 30_000;

export class ClassChannel {
  readonly #url: string;
  readonly #secret: string;
  readonly #events: ChannelEvents;
  #socket: WebSocket | undefined;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(url: string, secret: string, events: ChannelEvents) {
    this.#url = url;
    this.#secret = secret;
    this.#events = events;
  }

  connect(): void {
    if (this.#stopped) return;
    this.#events.onState('connecting');
    const socket = new WebSocket(this.#url, [instructorSubprotocol, this.#secret]);
    this.#socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.#attempt = 0;
      this.#events.onState('live');
      this.#events.onOpen();
      clearInterval(this.#ping);
      this.#ping = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send('ping'), pingEveryMs);
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string' || event.data === 'pong') return;
      let json: unknown;
      try {
        json = JSON.parse(event.data);
      } catch {
        return;
      }
      const message = classLiveMessageSchema.safeParse(json);
      if (message.success) this.#events.onMessage(message.data);
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      clearInterval(this.#ping);
      if (this.#stopped) return;
      if (event.code === watchCloseCodes.classDeleted) {
        this.#stopped = true;
        return this.#events.onDeleted();
      }
      this.#events.onState('lost');
      if (!opened) this.#events.onRefused();
      const delay = Math.min(backoff.maxMs, backoff.firstMs * 2 ** this.#attempt++) * (0.5 + Math.random() / 2);
      this.#retry = setTimeout(() => this.connect(), delay);
    };
  }

  dispose(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    clearInterval(this.#ping);
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000);
  }
}
