// What a sandbox host's Docker daemon did, as the agent records it per session and lab checks read
// it: one record per Engine event, and the command-level facts derived from them.
import { z } from 'zod';

/** An Engine event as recorded: numbered per session, tagged with the host whose daemon emitted it. */
export const dockerEventSchema = z.object({
  /** 1, 2, 3… within the session; a consumer resumes with `after=<last seq seen>`. */
  seq: z.number().int().positive(),
  /** host1…host3. */
  host: z.string(),
  /** Milliseconds since the epoch, from the daemon's own clock. */
  time: z.number(),
  /** The Engine's object type: container, image, network, volume, … */
  type: z.string(),
  /** The Engine's action: pull, push, tag, create, start, die, connect, mount, … */
  action: z.string(),
  /** The object's id or name, as the Engine reports it (an image reference for pull and push). */
  id: z.string(),
  /** The Engine's attributes (name, image, exitCode, container, …), minus image labels Doca sets. */
  attributes: z.record(z.string(), z.string()),
});
export type DockerEvent = z.infer<typeof dockerEventSchema>;

export const dockerEventPageSchema = z.object({
  events: z.array(dockerEventSchema),
  /** The highest seq recorded so far (0 when none), to resume from. */
  last: z.number().int().nonnegative(),
  /** Events older than this seq were dropped from the agent's memory. */
  firstKept: z.number().int().nonnegative(),
});
export type DockerEventPage = z.infer<typeof dockerEventPageSchema>;

/**
 * The command-level facts lab checks are written against. `docker build -t name .` shows up as
 * `tagged`: the classic builder reports no event of its own when it finishes.
 */
export type DockerFact =
  | { kind: 'pulled' | 'pushed'; host: string; image: string }
  | { kind: 'tagged' | 'untagged'; host: string; image: string; imageID: string }
  | { kind: 'container'; host: string; action: 'create' | 'start' | 'die' | 'stop' | 'kill' | 'destroy'; container: string; name: string; image: string; exitCode?: number }
  | { kind: 'network'; host: string; action: 'create' | 'destroy' | 'connect' | 'disconnect'; network: string; container?: string }
  | { kind: 'volume'; host: string; action: 'create' | 'destroy' | 'mount' | 'unmount'; volume: string; container?: string };

const containerActions = new Set(['create', 'start', 'die', 'stop', 'kill', 'destroy']);
const networkActions = new Set(['create', 'destroy', 'connect', 'disconnect']);
const volumeActions = new Set(['create', 'destroy', 'mount', 'unmount']);

/** The fact an event stands for, or undefined for events checks don't use (attach, exec, …). */
export function factOf(event: DockerEvent): DockerFact | undefined {
  const { host, type, action, id, attributes } = event;
  if (type === 'image') {
    if (action === 'pull' || action === 'push') return { kind: action === 'pull' ? 'pulled' : 'pushed', host, image: withTag(id) };
    if (action === 'tag' || action === 'untag') return { kind: action === 'tag' ? 'tagged' : 'untagged', host, image: attributes.name ?? '', imageID: id };
  }
  if (type === 'container' && containerActions.has(action)) {
    const exitCode = attributes.exitCode === undefined ? undefined : Number(attributes.exitCode);
    return {
      kind: 'container',
      host,
      action: action as 'create',
      container: id,
      name: attributes.name ?? '',
      image: attributes.image ?? '',
      ...(exitCode === undefined ? {} : { exitCode }),
    };
  }
  if (type === 'network' && networkActions.has(action)) {
    return { kind: 'network', host, action: action as 'create', network: attributes.name ?? id, ...(attributes.container ? { container: attributes.container } : {}) };
  }
  if (type === 'volume' && volumeActions.has(action)) {
    return { kind: 'volume', host, action: action as 'create', volume: id, ...(attributes.container ? { container: attributes.container } : {}) };
  }
  return undefined;
}

/** `postgres` and `postgres:latest` name the same image; facts always carry the tag. */
function withTag(reference: string): string {
  const lastPart = reference.slice(reference.lastIndexOf('/') + 1);
  return lastPart.includes(':') || lastPart.includes('@') ? reference : `${reference}:latest`;
}
