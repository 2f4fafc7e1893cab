// Evaluates a step's check against a session: what the daemons did (the record) and what they hold
// now (a state reader). Everything read comes from the learner's sandbox and is hostile input: the
// reader bounds its answers and times out; a read that fails or times out makes the step "could
// not check", never passed, and never stops the other steps.
import type { DockerFact } from '../../../protocol/events.ts';
import { normalizeImage, type Condition } from './conditions.ts';
import type { Reason } from './reasons.ts';
import { fails, holds, stateReadTimeoutMs, type ConditionResult } from './condition-result.ts';
import { readState, type StateReader } from './state-conditions.ts';


/** A call the daemon logged (`Calling POST /v1.47/containers/create`), with its API version prefix removed. */
export interface APICall {
  host: string;
  method: string;
  path: string;
}

/** A command the learner's shell finished (its prompt hook reports it). */
export interface FinishedCommand {
  host: string;
  command: string;
  exitCode: number;
}

/** The agent started a host's daemon again after it stopped. */
export interface DaemonRestart {
  host: string;
}

/** What happened in the session so far: the "did it" checks read it. */
export interface LabRecord {
  facts: readonly DockerFact[];
  apiCalls: readonly APICall[];
  commands: readonly FinishedCommand[];
  daemonRestarts: readonly DaemonRestart[];
}

export type StepResult = { status: 'passed' } | { status: 'failed'; reason: Reason } | { status: 'unknown'; reason: Reason; detail: string };

/** A lab's own explanation of a common mistake: shown instead of the condition's reason when `when` holds. */
export interface Diagnosis {
  when: Condition;
  reason: string;
  /** The condition reasons it explains; any when not given. */
  refines?: readonly string[];
}

const apiVersionPrefix = /^\/v\d+(\.\d+)?(?=\/)/;

/** Strips the API version prefix and the query: `/v1.47/containers/json?all=1` → `/containers/json`. */
export function apiPathOf(path: string): string {
  return path.replace(apiVersionPrefix, '').replace(/\?.*$/, '');
}

/** Whether a logged path names an API version (`/v1.41/version`), as every docker CLI request does. */
const hasAPIVersion = (path: string) => apiVersionPrefix.test(path);

export async function evaluateCondition(condition: Condition, record: LabRecord, state: StateReader, timeoutMs = stateReadTimeoutMs): Promise<ConditionResult> {
  const { host } = condition;
  switch (condition.kind) {
    case 'pulled':
    case 'pushed': {
      const image = normalizeImage(condition.image);
      const done = record.facts.some((fact) => fact.kind === condition.kind && fact.host === host && normalizeImage(fact.image) === image);
      return done ? holds : fails(condition.kind === 'pulled' ? 'not-pulled' : 'not-pushed', { host, image: condition.image });
    }
    case 'started': {
      const image = normalizeImage(condition.image);
      const done = record.facts.some((fact) => fact.kind === 'container' && fact.action === 'start' && fact.host === host && normalizeImage(fact.image) === image);
      return done ? holds : fails('not-started', { host, image: condition.image });
    }
    case 'exited': {
      const image = normalizeImage(condition.image);
      const wanted = (code: number | undefined) => (condition.exitCode === undefined ? code !== undefined && code !== 0 : code === condition.exitCode);
      const done = record.facts.some((fact) => fact.kind === 'container' && fact.action === 'die' && fact.host === host && normalizeImage(fact.image) === image && wanted(fact.exitCode));
      return done ? holds : fails('not-exited', { host, image: condition.image });
    }
    case 'container-removed': {
      const done = record.facts.some((fact) => fact.kind === 'container' && fact.action === 'destroy' && fact.host === host && fact.name === condition.name);
      return done ? holds : fails('not-removed', { host, name: condition.name });
    }
    case 'volume-mounted': {
      const mountedBy = new Set(record.facts.flatMap((fact) => (fact.kind === 'volume' && fact.action === 'mount' && fact.host === host && fact.volume === condition.volume && fact.container ? [fact.container] : [])));
      if (mountedBy.size === 0) return fails('volume-not-mounted', { host, volume: condition.volume });
      if (condition.exitCode === undefined) return holds;
      const exits = record.facts.flatMap((fact) => (fact.kind === 'container' && fact.action === 'die' && fact.host === host && mountedBy.has(fact.container) ? [fact.exitCode] : []));
      if (exits.includes(condition.exitCode)) return holds;
      const last = exits.at(-1);
      if (last === undefined) return fails('volume-container-running', { host, volume: condition.volume });
      return fails('volume-container-failed', { host, volume: condition.volume, expected: condition.exitCode, seen: last });
    }
    case 'api-call': {
      const pattern = anchored(condition.path);
      const answered = record.apiCalls.filter((call) => call.host === host && call.method === condition.method && pattern.test(apiPathOf(call.path)));
      const path = condition.path.replace(/\\/g, '');
      if (!condition.unversioned) return answered.length > 0 ? holds : fails('no-api-call', { host, method: condition.method, path });
      return answered.some((call) => !hasAPIVersion(call.path)) ? holds : fails('no-hand-made-call', { host, method: condition.method, path });
    }
    case 'command': {
      const pattern = anchored(condition.command);
      const runs = record.commands.filter((run) => run.host === host && pattern.test(run.command.trim()));
      if (condition.failed) return runs.some((run) => run.exitCode !== 0) ? holds : fails('command-not-run', { host, command: condition.example });
      if (runs.some((run) => run.exitCode === 0)) return holds;
      const last = runs.at(-1);
      return last ? fails('command-failed', { host, command: condition.example, exitCode: last.exitCode }) : fails('command-not-run', { host, command: condition.example });
    }
    case 'daemon-restarted':
      return record.daemonRestarts.some((restart) => restart.host === host) ? holds : fails('daemon-not-restarted', { host });
    default:
      return readState(condition, state, timeoutMs);
  }
}

/**
 * A step passes when every condition holds. Otherwise the first condition that doesn't decides: a
 * failure is explained by the first of the lab's diagnoses that refines its reason and whose
 * condition holds (a common mistake it recognizes), else by the condition's own reason; a read that
 * failed is "could not check".
 */
export async function evaluateStep(step: { check: readonly Condition[]; diagnoses?: readonly Diagnosis[] }, record: LabRecord, state: StateReader, timeoutMs = stateReadTimeoutMs): Promise<StepResult> {
  for (const condition of step.check) {
    const result = await evaluateCondition(condition, record, state, timeoutMs);
    if (result.status === 'holds') continue;
    if (result.status === 'unknown') return result;
    for (const diagnosis of step.diagnoses ?? []) {
      if (diagnosis.refines && !diagnosis.refines.includes(result.reason.code)) continue;
      if ((await evaluateCondition(diagnosis.when, record, state, timeoutMs)).status === 'holds') return { status: 'failed', reason: { code: diagnosis.reason, values: {} } };
    }
    return { status: 'failed', reason: result.reason };
  }
  return { status: 'passed' };
}

/** A pattern that must match the whole text (a check for `docker version` is not passed by `docker versionx`). */
function anchored(source: string): RegExp {
  return new RegExp(`^(?:${source})$`);
}
