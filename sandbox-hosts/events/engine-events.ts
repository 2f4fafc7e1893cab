// Follows one daemon's Engine event stream (`GET /events`) over its unix socket, from a given time,
// so nothing is lost between the daemon's start and the first subscriber, nor across a reconnect.
import { request, type ClientRequest } from 'node:http';
import type { DockerEvent } from '../../protocol/events.ts';

/** An event as the Engine API sends it (the fields Doca reads). */
interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  time: number;
  timeNano: number;
}

export interface EngineEventFollower {
  /** Nanoseconds since the epoch of the last event received; a new follower resumes after it. */
  readonly lastTimeNano: bigint;
  close(): void;
}

export interface FollowOptions {
  socketPath: string;
  host: string;
  /** Deliver events strictly after this instant (ns since the epoch). */
  afterNano: bigint;
  onEvent: (event: Omit<DockerEvent, 'seq'>) => void;
  /** The stream ended without `close()`: the daemon stopped or restarted. */
  onEnd: (error?: Error) => void;
}

export function followEngineEvents(options: FollowOptions): EngineEventFollower {
  let lastTimeNano = options.afterNano;
  let closed = false;
  let ended = false;
  const end = (error?: Error) => {
    if (closed || ended) return;
    ended = true;
    options.onEnd(error);
  };
  // `since` takes seconds with a fraction; the boundary event is filtered out below by its timeNano.
  const since = `${options.afterNano / 1_000_000_000n}.${String(options.afterNano % 1_000_000_000n).padStart(9, '0')}`;
  const req: ClientRequest = request({ socketPath: options.socketPath, path: `/events?since=${since}` }, (res) => {
    if (res.statusCode !== 200) {
      res.resume();
      return end(new Error(`Engine API /events answered ${res.statusCode}`));
    }
    let pending = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (!line) continue;
        const event = JSON.parse(line) as EngineEvent;
        // timeNano exceeds a double's precision; read it from the text.
        const timeNano = BigInt(/"timeNano":(\d+)/.exec(line)?.[1] ?? event.timeNano);
        if (timeNano <= lastTimeNano) continue;
        lastTimeNano = timeNano;
        options.onEvent(recordOf(options.host, event));
      }
    });
    res.on('end', () => end());
    res.on('error', end);
  });
  req.on('error', end);
  req.end();
  return {
    get lastTimeNano() {
      return lastTimeNano;
    },
    close() {
      closed = true;
      req.destroy();
    },
  };
}

function recordOf(host: string, event: EngineEvent): Omit<DockerEvent, 'seq'> {
  // Lab images carry Doca's own build labels; they say nothing about what the learner did.
  const attributes = Object.fromEntries(Object.entries(event.Actor.Attributes ?? {}).filter(([key]) => !key.startsWith('org.doca.')));
  return { host, time: Math.floor(event.timeNano / 1e6), type: event.Type, action: event.Action, id: event.Actor.ID, attributes };
}
