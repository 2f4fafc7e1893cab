// A session's state as recorded at one moment (images, containers, networks, volumes, open ports,
// registry tags per host), read back as a StateReader: recorded sessions re-grade offline, and a fixed check can be
// tried against what learners really did.
import type { ContainerState, StateReader } from './state-conditions.ts';

export interface HostSnapshot {
  images?: string[];
  containers?: ContainerState[];
  networks?: string[];
  volumes?: string[];
  openPorts?: number[];
  /** Registry port → repository → tags. */
  registries?: Record<string, Record<string, string[]>>;
}

export type StateSnapshot = Partial<Record<string, HostSnapshot>>;

export function snapshotState(snapshot: StateSnapshot): StateReader {
  const of = (host: string) => snapshot[host] ?? {};
  return {
    images: async (host) => of(host).images ?? [],
    containers: async (host) => of(host).containers ?? [],
    networks: async (host) => of(host).networks ?? [],
    volumes: async (host) => of(host).volumes ?? [],
    portOpen: async (host, port) => (of(host).openPorts ?? []).includes(port),
    registryTags: async (host, port, repository) => of(host).registries?.[String(port)]?.[repository] ?? [],
  };
}
