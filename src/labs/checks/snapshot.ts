// A session's state written out per host (images, containers, networks, volumes, open ports,
// registry tags), read as a StateReader: a test states the present it needs in a line. Recorded
// sessions keep the answers their reads really got instead (recorded-state.ts).
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
