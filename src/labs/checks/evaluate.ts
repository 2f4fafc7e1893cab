// Evaluates a step's check against a session: what the daemons did (the record) and what they hold
// now (a state reader). Everything read comes from the learner's sandbox and is hostile input: the
// reader bounds its answers and times out; a read that fails or times out makes the step "could
// not check", never passed, and never stops the other steps.
import type { DockerFact } from '../../../protocol/events.ts';
import { normalizeImage, type Condition } from './conditions.ts';
import type { Reason } from './reasons.ts';

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

/** What happened in the session so far: the "did it" checks read it. */
export interface LabRecord {
  facts: readonly DockerFact[];
  apiCalls: readonly APICall[];
  commands: readonly FinishedCommand[];
}

export interface ContainerState {
  name: string;
  image: string;
  running: boolean;
  /** The Engine's status line, e.g. `Exited (1) 3 seconds ago`. */
  status: string;
  ports: readonly { hostPort?: number; containerPort: number }[];
}

/** How things are now on the session's hosts, read-only: the "is it" checks read it. */
export interface StateReader {
  /** The host's image references (repo:tag). */
  images(host: string): Promise<readonly string[]>;
  containers(host: string): Promise<readonly ContainerState[]>;
  portOpen(host: string, port: number): Promise<boolean>;
  /** The tags of a repository in the registry on the host's port; empty when it has none. */
  registryTags(host: string, port: number, repository: string): Promise<readonly string[]>;
}

export type ConditionResult = { status: 'holds' } | { status: 'fails'; reason: Reason } | { status: 'unknown'; reason: Reason; detail: string };

export type StepResult = { status: 'passed' } | { status: 'failed'; reason: Reason } | { status: 'unknown'; reason: Reason; detail: string };

/** A lab's own explanation of a common mistake: shown instead of the condition's reason when `when` holds. */
export interface Diagnosis {
  when: Condition;
  reason: string;
  /** The condition reasons it explains; any when not given. */
  refines?: readonly string[];
}

/** How long one state read may take before the step is "could not check". */
export const stateReadTimeoutMs = 2_000;

const holds: ConditionResult = { status: 'holds' };
const fails = (code: string, values: Record<string, string | number>): ConditionResult => ({
  status: 'fails',
  reason: { code, values: Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)])) },
});

/** Strips the API version prefix and the query: `/v1.47/containers/json?all=1` → `/containers/json`. */
export function apiPathOf(path: string): string {
  return path.replace(/^\/v\d+(\.\d+)?(?=\/)/, '').replace(/\?.*$/, '');
}

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
    case 'api-call': {
      const pattern = anchored(condition.path);
      const done = record.apiCalls.some((call) => call.host === host && call.method === condition.method && pattern.test(apiPathOf(call.path)));
      return done ? holds : fails('no-api-call', { host, method: condition.method, path: condition.path.replace(/\\/g, '') });
    }
    case 'command': {
      const pattern = anchored(condition.command);
      const runs = record.commands.filter((run) => run.host === host && pattern.test(run.command.trim()));
      if (runs.some((run) => run.exitCode === 0)) return holds;
      const last = runs.at(-1);
      return last ? fails('command-failed', { host, command: condition.example, exitCode: last.exitCode }) : fails('command-not-run', { host, command: condition.example });
    }
    default:
      return readState(condition, state, timeoutMs);
  }
}

async function readState(condition: Extract<Condition, { kind: 'image-present' | 'container-running' | 'port-open' | 'registry-has' }>, state: StateReader, timeoutMs: number): Promise<ConditionResult> {
  const { host } = condition;
  try {
    switch (condition.kind) {
      case 'image-present': {
        const image = normalizeImage(condition.image);
        const images = await within(state.images(host), timeoutMs);
        return images.some((reference) => normalizeImage(reference) === image) ? holds : fails('image-missing', { host, image: condition.image });
      }
      case 'container-running': {
        const image = normalizeImage(condition.image);
        const ofImage = (await within(state.containers(host), timeoutMs)).filter((container) => normalizeImage(container.image) === image);
        const running = ofImage.filter((container) => container.running);
        if (running.length === 0) {
          const stopped = ofImage[0];
          return stopped ? fails('container-stopped', { host, image: condition.image, name: stopped.name, status: stopped.status }) : fails('no-container', { host, image: condition.image });
        }
        const wanted = condition.publishes;
        if (!wanted) return holds;
        if (running.some((container) => container.ports.some((port) => port.hostPort === wanted.hostPort && port.containerPort === wanted.containerPort))) return holds;
        // The container the learner most likely meant: the first one running that image.
        const [closest] = running;
        const published = closest.ports.filter((port) => port.hostPort !== undefined);
        const expected = String(wanted.hostPort);
        if (published.length === 0) return fails('no-port-published', { host, name: closest.name, expected });
        return fails('port-not-published', { host, name: closest.name, expected, seen: [...new Set(published.map((port) => `${port.hostPort}→${port.containerPort}`))].join(', ') });
      }
      case 'port-open':
        return (await within(state.portOpen(host, condition.port), timeoutMs)) ? holds : fails('port-closed', { host, port: condition.port });
      case 'registry-has': {
        const tags = await within(state.registryTags(host, condition.port, condition.repository), timeoutMs);
        return tags.includes(condition.tag) ? holds : fails('tag-missing', { host, port: condition.port, repository: condition.repository, tag: condition.tag });
      }
    }
  } catch (error) {
    return { status: 'unknown', reason: { code: 'could-not-check', values: { host } }, detail: error instanceof Error ? error.message : String(error) };
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

function within<T>(read: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([read, timeout]).finally(() => clearTimeout(timer));
}
