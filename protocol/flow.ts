// The path one command took, as it really happened on the learner's hosts: the client got the
// command, asked the daemon through its API, the daemon looked for the image, pulled it from a
// registry, created the container, published its port, started it, and the client showed the
// result. The agent builds it from the shell's marks, the API calls the daemon logged and the
// Engine's events; the lab page draws it in its language.
import { z } from 'zod';

const host = z.string().max(16);
const image = z.string().max(256);

export const flowEntrySchema = z.discriminatedUnion('kind', [
  /** The client (`docker` in the host's shell) got the command. */
  z.object({ kind: z.literal('command'), host, command: z.string().max(4096) }),
  /** The client asked a daemon (on `host`) through its API. */
  z.object({ kind: z.literal('request'), host, method: z.string().max(8), path: z.string().max(512) }),
  /** The daemon looked for the image and did not have it (it said so, and the client asked for a pull). */
  z.object({ kind: z.literal('image-missing'), host, image }),
  /** The daemon pulled the image from a registry, or pushed it to one. */
  z.object({ kind: z.enum(['pull', 'push']), host, registry: z.string().max(256), image }),
  /** The daemon acted on a container. */
  z.object({ kind: z.literal('container'), host, action: z.enum(['create', 'start', 'die', 'destroy']), name: z.string().max(256), image, exitCode: z.number().int().optional() }),
  /** The daemon published a container's port on the host. */
  z.object({ kind: z.literal('port'), host, name: z.string().max(256), hostPort: z.number().int(), containerPort: z.number().int() }),
  /** The client, attached to the container, shows its output. */
  z.object({ kind: z.literal('logs'), host, name: z.string().max(256) }),
  /** The client finished and showed its result. */
  z.object({ kind: z.literal('result'), host, exitCode: z.number().int() }),
]);
export type FlowEntry = z.infer<typeof flowEntrySchema>;

/** A flow draws at most this many entries; the rest are counted in `dropped`. */
export const maxFlowEntries = 60;

export const commandFlowSchema = z.object({
  /** 1, 2, 3… within the session. */
  id: z.number().int().positive(),
  /** The host whose shell ran the command. */
  host,
  command: z.string().max(4096),
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  exitCode: z.number().int().optional(),
  entries: z.array(flowEntrySchema).max(maxFlowEntries),
  dropped: z.number().int().nonnegative(),
});
export type CommandFlow = z.infer<typeof commandFlowSchema>;

/** Which part of Docker's architecture does the work an entry shows. */
export function actorOf(entry: FlowEntry): 'client' | 'daemon' | 'registry' {
  switch (entry.kind) {
    case 'command':
    case 'request':
    case 'logs':
    case 'result':
      return 'client';
    case 'pull':
    case 'push':
      return 'registry';
    default:
      return 'daemon';
  }
}

/** The registry an image reference names: its first part when that is a host, else Docker Hub. */
export function registryOf(reference: string): string {
  const slash = reference.indexOf('/');
  const first = slash === -1 ? '' : reference.slice(0, slash);
  return first && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}
