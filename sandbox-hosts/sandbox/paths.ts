// Where a sandbox host's parts live on the machine, all named after its id.
import { join } from 'node:path';
import type { HostMachineConfig } from '../machine/config.ts';

/** Lower-case letters and digits, 4–12 long: it names a Linux user, a namespace, a cgroup and folders. */
export const sandboxIDPattern = /^[a-z0-9]{4,12}$/;

export function sandboxPaths(config: Pick<HostMachineConfig, 'DOCA_STATE_DIR'>, id: string) {
  if (!sandboxIDPattern.test(id)) throw new Error(`Invalid sandbox host id "${id}": use 4–12 lower-case letters or digits.`);
  const dir = join(config.DOCA_STATE_DIR, 'hosts', id);
  return {
    user: `doca-${id}`,
    netns: `doca-${id}`,
    hostVeth: `dh-${id}`,
    cgroup: `doca/${id}`,
    dir,
    disk: join(dir, 'disk.img'),
    hostsFile: join(dir, 'hosts'),
    resolvConf: join(dir, 'resolv.conf'),
    trustStore: join(dir, 'ca-certificates.crt'),
    record: join(dir, 'host.json'),
    home: `/home/doca-${id}`,
  };
}

export type SandboxPaths = ReturnType<typeof sandboxPaths>;

/** The learner's runtime folder ($XDG_RUNTIME_DIR): the daemon's socket and state. */
export const runtimeDirOf = (uid: number) => `/run/user/${uid}`;
