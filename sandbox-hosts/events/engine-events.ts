// Follows one daemon's Engine event stream (`GET /events`) over its unix socket, from a given time,
// so nothing is lost between the daemon's start and the first subscriber, nor across a reconnect.
// The daemon is the learner's: every byte of the stream is untrusted. Lines are bounded, each is
// parsed and validated on its own (a bad one is skipped and counted), and recorded events are capped.
import type { ClientRequest } from 'node:http';
import { z } from 'zod';
import type { DockerEvent } from '../../protocol/events.ts';
import { agentPath, connectEngine, requestOver } from '../system/docker-engine.ts';
import type { LearnerSocket } from '../system/learner-socket.ts';
import { BoundedLines } from './bounded-lines.ts';

/**
 * The longest event line kept. Real events are a few hundred bytes; a container's labels can make one
 * longer, but not this long. A longer line is skipped (and logged): ending the stream instead would
 * only reconnect to the same line, replayed from the same instant, again and again.
 */
export const maxEventLineBytes = 1024 * 1024;

/** What one recorded event keeps, so a learner's labels can't grow the agent's memory per event. */
export const recordedEventLimits = {
  /** type, action (an exec's action carries its command), id. */
  fieldChars: 512,
  attributes: 32,
  attributeKeyChars: 128,
  attributeValueChars: 1024,
} as const;

/** Attributes `factOf` reads: kept first when an event has more than the limit. */
const attributesFactsRead = ['name', 'image', 'exitCode', 'container'];

/** An event as the Engine API sends it: the fields Doca reads. */
const engineEventSchema = z.object({
  Type: z.string(),
  Action: z.string(),
  Actor: z.object({ ID: z.string(), Attributes: z.record(z.string(), z.string()).nullish() }),
  // Past 2^53, so not a "safe integer" to zod: its exact digits are read from the text below.
  timeNano: z.number().nonnegative(),
});
type EngineEvent = z.infer<typeof engineEventSchema>;

export type DroppedLine = 'oversize' | 'invalid';

export interface EngineEventFollower {
  /** Nanoseconds since the epoch of the last event received; a new follower resumes after it. */
  readonly lastTimeNano: bigint;
  /** Lines skipped so far: longer than `maxEventLineBytes`, or not an event. */
  readonly dropped: Readonly<Record<DroppedLine, number>>;
  close(): void;
}

export interface FollowOptions {
  /** The learner's daemon socket: reached only while it is a socket owned by the learner. */
  socket: LearnerSocket;
  host: string;
  /** Deliver events strictly after this instant (ns since the epoch). */
  afterNano: bigint;
  onEvent: (event: Omit<DockerEvent, 'seq'>) => void;
  /** The stream ended without `close()`: the daemon stopped or restarted, or its socket was refused. */
  onEnd: (error?: Error) => void;
  log?: (event: Record<string, unknown>) => void;
}

export function followEngineEvents(options: FollowOptions): EngineEventFollower {
  const log = options.log ?? (() => undefined);
  let lastTimeNano = options.afterNano;
  const dropped: Record<DroppedLine, number> = { oversize: 0, invalid: 0 };
  let req: ClientRequest | undefined;
  let closed = false;
  let ended = false;
  const end = (error?: Error) => {
    if (closed || ended) return;
    ended = true;
    req?.destroy();
    try {
      options.onEnd(error);
    } catch (failure) {
      log({ event: 'engine_events.end_failed', host: options.host, error: String(failure) });
    }
  };
  const drop = (reason: DroppedLine, detail?: string) => {
    const count = ++dropped[reason];
    // The 1st, 2nd, 4th, 8th… of each kind: a hostile stream can't flood the agent's log.
    if ((count & (count - 1)) === 0) log({ event: 'engine_events.line_dropped', host: options.host, reason, count, ...(detail ? { detail } : {}) });
  };
  const lines = new BoundedLines({
    maxLineBytes: maxEventLineBytes,
    onOversize: () => drop('oversize'),
    onLine: (line) => {
      const parsed = parseEventLine(line);
      if (!parsed) return;
      if (!parsed.ok) return drop('invalid', parsed.detail);
      if (parsed.timeNano <= lastTimeNano) return;
      lastTimeNano = parsed.timeNano;
      try {
        options.onEvent(recordOf(options.host, parsed.event, parsed.timeNano));
      } catch (error) {
        // A failing consumer loses this event, not the stream (reconnecting would replay it).
        log({ event: 'engine_events.delivery_failed', host: options.host, error: String(error) });
      }
    },
  });

  // `since` takes seconds with a fraction; the boundary event is filtered out above by its timeNano.
  const since = `${options.afterNano / 1_000_000_000n}.${String(options.afterNano % 1_000_000_000n).padStart(9, '0')}`;
  connectEngine(options.socket).then((connection) => {
    if (closed) return void connection.destroy();
    req = requestOver(connection, 'GET', agentPath(`/events?since=${since}`));
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return end(new Error(`Engine API /events answered ${res.statusCode}`));
      }
      res.on('data', (chunk: Buffer) => lines.push(chunk));
      res.on('end', () => end());
      res.on('error', end);
      // A connection cut mid-stream may end the response without 'end'.
      res.on('close', () => end());
    });
    req.on('error', end);
    req.end();
  }, end);

  return {
    get lastTimeNano() {
      return lastTimeNano;
    },
    get dropped() {
      return { ...dropped };
    },
    close() {
      closed = true;
      req?.destroy();
    },
  };
}

type ParsedLine = { ok: true; event: EngineEvent; timeNano: bigint } | { ok: false; detail: string };

/** The event on the line, why it isn't one, or undefined for a blank line. */
function parseEventLine(line: Buffer): ParsedLine | undefined {
  const text = line.toString('utf8').trim();
  if (!text) return undefined;
  // timeNano exceeds a double's precision: its digits are taken from the text, via the source the
  // reviver sees, for the top-level field only (a nested `timeNano` must not stand in for it).
  const timeNanoSources = new Map<object, string>();
  let value: unknown;
  try {
    value = JSON.parse(text, function (this: object, key: string, parsed: unknown, context?: { source?: string }) {
      if (key === 'timeNano' && context?.source !== undefined) timeNanoSources.set(this, context.source);
      return parsed;
    });
  } catch {
    return { ok: false, detail: 'not JSON' };
  }
  const event = engineEventSchema.safeParse(value);
  if (!event.success) return { ok: false, detail: 'not an Engine event' };
  const source = timeNanoSources.get(value as object);
  if (source !== undefined && !/^\d{1,20}$/.test(source)) return { ok: false, detail: 'timeNano is not a whole number' };
  const timeNano = source !== undefined ? BigInt(source) : BigInt(Math.trunc(event.data.timeNano));
  return { ok: true, event: event.data, timeNano };
}

function recordOf(host: string, event: EngineEvent, timeNano: bigint): Omit<DockerEvent, 'seq'> {
  const { fieldChars, attributes: maxAttributes, attributeKeyChars, attributeValueChars } = recordedEventLimits;
  // Lab images carry Doca's own build labels; they say nothing about what the learner did.
  const entries = Object.entries(event.Actor.Attributes ?? {}).filter(([key]) => !key.startsWith('org.doca.'));
  const rank = (key: string) => (attributesFactsRead.includes(key) ? 0 : 1);
  const kept = entries
    .sort(([a], [b]) => rank(a) - rank(b))
    .slice(0, maxAttributes)
    .map(([key, value]) => [cut(key, attributeKeyChars), cut(value, attributeValueChars)]);
  return {
    host,
    time: Number(timeNano / 1_000_000n),
    type: cut(event.Type, fieldChars),
    action: cut(event.Action, fieldChars),
    id: cut(event.Actor.ID, fieldChars),
    attributes: Object.fromEntries(kept),
  };
}

/** At most `max` characters; a cut value ends with "…" so nobody mistakes it for the whole. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
