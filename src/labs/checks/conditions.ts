// What a lab step's check asks of the learner's hosts, as data: the agent evaluates it against what
// the daemons did and hold, a recorded session re-grades it offline, and the build validates it.
// Two kinds. *Did it*: something happened, read from the session's record (Engine events, the API
// calls the daemon logged, the commands the shell finished). *Is it*: how things are now, read
// without changing anything (list and inspect calls, the registry's API, a TCP probe).
import { z } from 'zod';

export const hostNameSchema = z.enum(['host1', 'host2', 'host3'], { error: 'a host of the lab: host1, host2 or host3' });

/** An image reference as a learner types it: `postgres`, `postgres:16`, `localhost:5000/minhaimagem:1.0`. */
const imageSchema = z.string().regex(/^[a-z0-9][a-z0-9._:/@-]{0,200}$/, 'an image reference such as postgres or localhost:5000/minhaimagem:1.0');
const portSchema = z.number().int().min(1).max(65535);
/** A container, network or volume name as Docker accepts it. */
const objectNameSchema = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, 'a name such as web or dados');
/** A regular expression's source, checked to compile. */
const patternSchema = z.string().min(1).refine((source) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}, 'a valid regular expression');

export const conditionSchema = z.discriminatedUnion('kind', [
  // Did it.
  z.strictObject({ kind: z.literal('pulled'), host: hostNameSchema, image: imageSchema }),
  z.strictObject({ kind: z.literal('pushed'), host: hostNameSchema, image: imageSchema }),
  /** A container of this image was started (by `docker run` or `docker start`). */
  z.strictObject({ kind: z.literal('started'), host: hostNameSchema, image: imageSchema }),
  /** A container of this image stopped by itself with this exit status (any non-zero one when not given). */
  z.strictObject({ kind: z.literal('exited'), host: hostNameSchema, image: imageSchema, exitCode: z.number().int().min(0).max(255).optional() }),
  /** A container of this name was removed (`docker rm`, or `--rm` when it ended). */
  z.strictObject({ kind: z.literal('container-removed'), host: hostNameSchema, name: objectNameSchema }),
  /** A container mounted the volume; with `exitCode`, that container then stopped with this status. */
  z.strictObject({ kind: z.literal('volume-mounted'), host: hostNameSchema, volume: objectNameSchema, exitCode: z.number().int().min(0).max(255).optional() }),
  /**
   * The daemon answered an API call: `GET /version`, `POST /containers/create` (any API version
   * prefix). `unversioned: true` asks for a request that named no version, as one made by hand does
   * (`curl …/version`); the docker CLI always names one.
   */
  z.strictObject({ kind: z.literal('api-call'), host: hostNameSchema, method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'HEAD']), path: patternSchema, unversioned: z.literal(true).optional() }),
  /**
   * The shell finished a command matching `command` with exit status 0, or, with `failed: true`,
   * with another one (a mistake a diagnosis recognizes). `example` is the command as a learner
   * types it, for the messages that name it.
   */
  z.strictObject({ kind: z.literal('command'), host: hostNameSchema, command: patternSchema, example: z.string().min(1).max(200), failed: z.literal(true).optional() }),
  /** The host's daemon stopped and the agent started it again (the learner may stop their own). */
  z.strictObject({ kind: z.literal('daemon-restarted'), host: hostNameSchema }),
  // Is it.
  z.strictObject({ kind: z.literal('image-present'), host: hostNameSchema, image: imageSchema }),
  /** A running container of this image (named `name`, when given), publishing `containerPort` on `hostPort` when given. */
  z.strictObject({
    kind: z.literal('container-running'),
    host: hostNameSchema,
    image: imageSchema,
    name: objectNameSchema.optional(),
    publishes: z.strictObject({ hostPort: portSchema, containerPort: portSchema }).optional(),
  }),
  z.strictObject({ kind: z.literal('network-present'), host: hostNameSchema, name: objectNameSchema }),
  z.strictObject({ kind: z.literal('volume-present'), host: hostNameSchema, name: objectNameSchema }),
  /** Something accepts TCP connections on the host's port. */
  z.strictObject({ kind: z.literal('port-open'), host: hostNameSchema, port: portSchema }),
  /** A registry on the host (its published port) holds repository:tag. */
  z.strictObject({ kind: z.literal('registry-has'), host: hostNameSchema, port: portSchema, repository: z.string().regex(/^[a-z0-9][a-z0-9._/-]{0,200}$/), tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/) }),
]);
export type Condition = z.infer<typeof conditionSchema>;
export type ConditionInput = z.input<typeof conditionSchema>;

/** Conditions that read the present state: re-read while a passed step is shown, for its "still true". */
export const stateKinds = new Set<Condition['kind']>(['image-present', 'container-running', 'network-present', 'volume-present', 'port-open', 'registry-has']);

/** `postgres` and `postgres:latest` name the same image; `docker.io/library/postgres` too. */
export function normalizeImage(reference: string): string {
  let name = reference.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !lastPart.includes('@')) name = `${name}:latest`;
  return name;
}
