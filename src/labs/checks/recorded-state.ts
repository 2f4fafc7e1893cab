// The present as a recording keeps it: every answer the state reader gave the lab's conditions at one
// moment (or the error it failed with). A capturing reader logs those answers from the real one; a
// recorded reader serves them back, so a recorded session re-grades offline exactly as it was read,
// and a check that asks something the recording never heard is "could not check", never a guess.
import { z } from 'zod';
import { hostNameSchema, stateKinds, type Condition } from './conditions.ts';
import { stateReadTimeoutMs } from './condition-result.ts';
import { evaluateCondition, type LabRecord } from './evaluate.ts';
import type { ContainerState, StateReader } from './state-conditions.ts';

const portSchema = z.number().int().min(1).max(65535);
const containerSchema: z.ZodType<ContainerState> = z.strictObject({
  name: z.string(),
  image: z.string(),
  running: z.boolean(),
  status: z.string(),
  ports: z.array(z.strictObject({ hostPort: portSchema.optional(), containerPort: portSchema })),
});
/** A failed read keeps its message, as the live check saw it. */
const errorSchema = z.string().max(500).optional();

/** One question the checks asked of a host's present, with its answer or the error the read failed with. */
export const stateReadSchema = z
  .discriminatedUnion('read', [
    z.strictObject({ read: z.literal('images'), host: hostNameSchema, answer: z.array(z.string()).optional(), error: errorSchema }),
    z.strictObject({ read: z.literal('containers'), host: hostNameSchema, answer: z.array(containerSchema).optional(), error: errorSchema }),
    z.strictObject({ read: z.literal('networks'), host: hostNameSchema, answer: z.array(z.string()).optional(), error: errorSchema }),
    z.strictObject({ read: z.literal('volumes'), host: hostNameSchema, answer: z.array(z.string()).optional(), error: errorSchema }),
    z.strictObject({ read: z.literal('port-open'), host: hostNameSchema, port: portSchema, answer: z.boolean().optional(), error: errorSchema }),
    z.strictObject({ read: z.literal('registry-tags'), host: hostNameSchema, port: portSchema, repository: z.string(), answer: z.array(z.string()).optional(), error: errorSchema }),
  ])
  .refine((read) => (read.answer === undefined) !== (read.error === undefined), 'a read holds either its answer or its error');
export type StateRead = z.infer<typeof stateReadSchema>;

/** A question of the present, as the StateReader's methods ask it. */
type Question =
  | { read: 'images' | 'containers' | 'networks' | 'volumes'; host: string }
  | { read: 'port-open'; host: string; port: number }
  | { read: 'registry-tags'; host: string; port: number; repository: string };

/** One line per question, the same for the question asked and its recorded answer. */
export function questionOf(read: Question): string {
  switch (read.read) {
    case 'images':
    case 'containers':
    case 'networks':
    case 'volumes':
      return `${read.read} of ${read.host}`;
    case 'port-open':
      return `port ${read.port} of ${read.host} open`;
    case 'registry-tags':
      return `tags of ${read.repository} in the registry at ${read.host}:${read.port}`;
  }
}

/** What failed reads keep of their message. */
const maxErrorLength = 500;

/**
 * A reader that asks `state` each question once and logs the outcome in `reads`, in the order the
 * questions were first asked. Until its answer comes, a read stands in `reads` as unanswered within
 * `timeoutMs`: what the check engine makes of a read that outlives its deadline.
 */
export function capturingState(state: StateReader, timeoutMs = stateReadTimeoutMs): { reader: StateReader; reads: StateRead[] } {
  const reads: StateRead[] = [];
  const asked = new Map<string, Promise<unknown>>();
  const ask = <T>(question: Question, read: () => Promise<T>): Promise<T> => {
    const key = questionOf(question);
    if (!asked.has(key)) {
      const slot = reads.push({ ...question, error: `no answer within ${timeoutMs} ms` } as StateRead) - 1;
      const answer = read().then(
        (value) => ((reads[slot] = { ...question, answer: value } as StateRead), value),
        (error: unknown) => {
          reads[slot] = { ...question, error: (error instanceof Error ? error.message : String(error)).slice(0, maxErrorLength) } as StateRead;
          throw error;
        },
      );
      asked.set(key, answer);
    }
    return asked.get(key) as Promise<T>;
  };
  return {
    reads,
    reader: {
      images: (host) => ask({ read: 'images', host: host }, () => state.images(host)),
      containers: (host) => ask({ read: 'containers', host: host }, () => state.containers(host)),
      networks: (host) => ask({ read: 'networks', host: host }, () => state.networks(host)),
      volumes: (host) => ask({ read: 'volumes', host: host }, () => state.volumes(host)),
      portOpen: (host, port) => ask({ read: 'port-open', host: host, port }, () => state.portOpen(host, port)),
      registryTags: (host, port, repository) => ask({ read: 'registry-tags', host: host, port, repository }, () => state.registryTags(host, port, repository)),
    },
  };
}

/**
 * Asks `state` every question of the present the lab's steps can ask: each step's "is it"
 * conditions and its diagnoses' conditions, whether or not an evaluation would reach them, so a
 * check whose conditions are reordered re-grades from the same recording. Returns what was read.
 */
export async function captureState(steps: readonly { check: readonly Condition[]; diagnoses?: readonly { when: Condition }[] }[], record: LabRecord, state: StateReader): Promise<StateRead[]> {
  const { reader, reads } = capturingState(state);
  const conditions = steps.flatMap((step) => [...step.check, ...(step.diagnoses ?? []).map((diagnosis) => diagnosis.when)]);
  // evaluateCondition bounds each read by the engine's deadline; `reads` keeps each read's own outcome.
  for (const condition of conditions) if (stateKinds.has(condition.kind)) await evaluateCondition(condition, record, reader);
  return [...reads];
}

/** Serves the recorded answers; a question the recording holds no answer to fails, naming it. */
export function recordedState(reads: readonly StateRead[]): StateReader {
  const byQuestion = new Map(reads.map((read) => [questionOf(read), read]));
  const answer = async <T>(question: Question): Promise<T> => {
    const read = byQuestion.get(questionOf(question));
    if (!read) throw new Error(`the recording holds no answer to "${questionOf(question)}": the check asks something new; record the lab again (npm run record:labs)`);
    if (read.error !== undefined) throw new Error(read.error);
    return read.answer as T;
  };
  return {
    images: (host) => answer({ read: 'images', host: host }),
    containers: (host) => answer({ read: 'containers', host: host }),
    networks: (host) => answer({ read: 'networks', host: host }),
    volumes: (host) => answer({ read: 'volumes', host: host }),
    portOpen: (host, port) => answer({ read: 'port-open', host: host, port }),
    registryTags: (host, port, repository) => answer({ read: 'registry-tags', host: host, port, repository }),
  };
}
