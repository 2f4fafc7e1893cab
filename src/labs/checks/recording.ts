// A recorded lab session, kept as a fixture in src/labs/<lab>/recordings/<scenario>.json: what the
// daemons did (facts, API calls, finished commands) and, at each moment that matters, every answer
// the lab's conditions got from the present. The check engine re-grades it offline, so checks are
// tested without Docker, and a fixed check is tried against sessions that really happened.
import { z } from 'zod';
import type { DockerFact } from '../../../protocol/events.ts';
import { hostNameSchema } from './conditions.ts';
import { evaluateStep, type LabRecord, type StepResult } from './evaluate.ts';
import { recordedState, stateReadSchema } from './recorded-state.ts';

/** Raised when the format changes; a recording of another format is read as stale. */
export const recordingFormat = 1;

const countSchema = z.number().int().nonnegative();

const factSchema: z.ZodType<DockerFact> = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.enum(['pulled', 'pushed']), host: z.string(), image: z.string() }),
  z.strictObject({ kind: z.enum(['tagged', 'untagged']), host: z.string(), image: z.string(), imageID: z.string() }),
  z.strictObject({
    kind: z.literal('container'),
    host: z.string(),
    action: z.enum(['create', 'start', 'die', 'stop', 'kill', 'destroy']),
    container: z.string(),
    name: z.string(),
    image: z.string(),
    exitCode: z.number().int().optional(),
  }),
  z.strictObject({ kind: z.literal('network'), host: z.string(), action: z.enum(['create', 'destroy', 'connect', 'disconnect']), network: z.string(), container: z.string().optional() }),
  z.strictObject({ kind: z.literal('volume'), host: z.string(), action: z.enum(['create', 'destroy', 'mount', 'unmount']), volume: z.string(), container: z.string().optional() }),
]);

const labRecordSchema = z.strictObject({
  facts: z.array(factSchema),
  apiCalls: z.array(z.strictObject({ host: z.string(), method: z.string(), path: z.string() })),
  commands: z.array(z.strictObject({ host: z.string(), command: z.string(), exitCode: z.number().int() })),
  /** Restarts the agent made of a host's daemon (absent from recordings of labs that stop none). */
  daemonRestarts: z.array(z.strictObject({ host: z.string() })).default([]),
});

const typedSchema = z.strictObject({ host: hostNameSchema, run: z.string() });
export type TypedCommand = z.infer<typeof typedSchema>;

/** A moment the present was read: after a solution step, or after a wrong attempt. */
const momentSchema = z.strictObject({
  /** The commands typed since the moment before (since the session started, for the first). */
  ran: z.array(typedSchema),
  /** How much of the record had happened by then. */
  seen: z.strictObject({ facts: countSchema, apiCalls: countSchema, commands: countSchema, daemonRestarts: countSchema.default(0) }),
  /** Every answer the present gave the lab's conditions then. */
  state: z.array(stateReadSchema),
});
export type RecordedMoment = z.infer<typeof momentSchema>;

export const scenarioSchema = z.discriminatedUnion('kind', [
  /** A session nobody has typed in: one moment. */
  z.strictObject({ kind: z.literal('fresh') }),
  /** The lab's solution, step by step: a moment after each step. */
  z.strictObject({ kind: z.literal('solution') }),
  /** The steps before the attempt's step, then its script: one moment. */
  z.strictObject({ kind: z.literal('wrong-attempt'), attempt: z.string() }),
]);
export type Scenario = z.infer<typeof scenarioSchema>;

export const recordingSchema = z.strictObject({
  format: z.literal(recordingFormat),
  lab: z.string(),
  /** The lab's step ids when it was recorded: with other steps, the recording is stale. */
  steps: z.array(z.string()).min(1),
  scenario: scenarioSchema,
  /** Everything the session's daemons did, in order. */
  record: labRecordSchema,
  moments: z.array(momentSchema).min(1),
}).superRefine((recording, context) => {
  recording.moments.forEach((moment, i) => {
    for (const kind of ['facts', 'apiCalls', 'commands', 'daemonRestarts'] as const) {
      if (moment.seen[kind] > recording.record[kind].length) context.addIssue({ code: 'custom', path: ['moments', i, 'seen', kind], message: `the record holds ${recording.record[kind].length} ${kind}` });
    }
  });
});
export type Recording = z.infer<typeof recordingSchema>;

/** The recording's file name in the lab's `recordings/` folder. */
export function scenarioFile(scenario: Scenario): string {
  return scenario.kind === 'wrong-attempt' ? `wrong-attempt-${scenario.attempt}.json` : `${scenario.kind}.json`;
}

/** Reads a recording's text, naming the file and the fix when it is not one. */
export function parseRecording(text: string, file: string): Recording {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON (${(error as Error).message}): record the lab again (npm run record:labs)`);
  }
  const parsed = recordingSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 5).map((issue) => `  ${issue.path.join('.') || '(recording)'}: ${issue.message}`);
  throw new Error(`${file} is not a recording of format ${recordingFormat}:\n${problems.join('\n')}\nRecord the lab again (npm run record:labs).`);
}

/** Lines of a recording are kept within this width: what fits stays on one line. */
const lineWidth = 200;

/**
 * Pretty JSON with every object's keys sorted, so a recording made again differs only where the
 * session did: each object of a list on a line of its own when it fits (a fact, an API call, a
 * command), any other value that fits on one line too.
 */
export function recordingJSON(recording: Recording): string {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, inner]) => inner !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, inner]) => [key, sorted(inner)]),
    );
  };
  const oneLine = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
    if (value === null || typeof value !== 'object') return JSON.stringify(value);
    const entries = Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${oneLine(item)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  };
  const format = (value: unknown, indent: string, prefix: string): string => {
    const flat = oneLine(value);
    const listsObjects = Array.isArray(value) && value.some((item) => item !== null && typeof item === 'object');
    if (value === null || typeof value !== 'object' || (!listsObjects && indent.length + prefix.length + flat.length <= lineWidth)) return flat;
    const inner = `${indent}  `;
    if (Array.isArray(value)) return value.length === 0 ? '[]' : `[\n${value.map((item) => inner + format(item, inner, '')).join(',\n')}\n${indent}]`;
    const entries = Object.entries(value).map(([key, item]) => `${inner}${JSON.stringify(key)}: ${format(item, inner, `${JSON.stringify(key)}: `)}`);
    return `{\n${entries.join(',\n')}\n${indent}}`;
  };
  return `${format(sorted(recordingSchema.parse(recording)), '', '')}\n`;
}

/** The record as it stood at the moment. */
export function recordAt(recording: Recording, moment: RecordedMoment): LabRecord {
  const { facts, apiCalls, commands, daemonRestarts } = recording.record;
  return {
    facts: facts.slice(0, moment.seen.facts),
    apiCalls: apiCalls.slice(0, moment.seen.apiCalls),
    commands: commands.slice(0, moment.seen.commands),
    daemonRestarts: daemonRestarts.slice(0, moment.seen.daemonRestarts),
  };
}

/** Each step's result at the moment, as the check engine decides it today. */
export async function gradeMoment(
  steps: readonly (Parameters<typeof evaluateStep>[0] & { id: string })[],
  recording: Recording,
  moment: RecordedMoment,
): Promise<Map<string, StepResult>> {
  const record = recordAt(recording, moment);
  const state = recordedState(moment.state);
  const results = new Map<string, StepResult>();
  for (const step of steps) results.set(step.id, await evaluateStep(step, record, state));
  return results;
}
