// The "is it" conditions: how things are now on the session's hosts, read without changing
// anything. Every read is bounded in time; one that fails or times out is "could not check".
import { normalizeImage, type Condition } from './conditions.ts';
import { fails, holds, within, type ConditionResult } from './condition-result.ts';

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
  /** The names of the host's networks (bridge, host, none and the learner's). */
  networks(host: string): Promise<readonly string[]>;
  /** The names of the host's volumes. */
  volumes(host: string): Promise<readonly string[]>;
  portOpen(host: string, port: number): Promise<boolean>;
  /** The tags of a repository in the registry on the host's port; empty when it has none. */
  registryTags(host: string, port: number, repository: string): Promise<readonly string[]>;
}

export type StateCondition = Extract<Condition, { kind: 'image-present' | 'container-running' | 'network-present' | 'volume-present' | 'port-open' | 'registry-has' }>;

export async function readState(condition: StateCondition, state: StateReader, timeoutMs: number): Promise<ConditionResult> {
  const { host } = condition;
  try {
    switch (condition.kind) {
      case 'image-present': {
        const image = normalizeImage(condition.image);
        const images = await within(state.images(host), timeoutMs);
        return images.some((reference) => normalizeImage(reference) === image) ? holds : fails('image-missing', { host, image: condition.image });
      }
      case 'container-running':
        return containerRunning(condition, await within(state.containers(host), timeoutMs));
      case 'network-present':
        return (await within(state.networks(host), timeoutMs)).includes(condition.name) ? holds : fails('network-missing', { host, name: condition.name });
      case 'volume-present':
        return (await within(state.volumes(host), timeoutMs)).includes(condition.name) ? holds : fails('volume-missing', { host, name: condition.name });
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

function containerRunning(condition: Extract<Condition, { kind: 'container-running' }>, containers: readonly ContainerState[]): ConditionResult {
  const { host, name } = condition;
  const image = normalizeImage(condition.image);
  const candidates = containers.filter((container) => normalizeImage(container.image) === image && (name === undefined || container.name === name));
  const running = candidates.filter((container) => container.running);
  if (running.length === 0) {
    const stopped = candidates[0];
    if (stopped) return fails('container-stopped', { host, image: condition.image, name: stopped.name, status: stopped.status });
    return name === undefined ? fails('no-container', { host, image: condition.image }) : fails('no-container-named', { host, image: condition.image, name });
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
