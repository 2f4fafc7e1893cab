// A sandbox host's own mount, PID, IPC and UTS namespaces, held by a small init (tini) that the
// agent starts as root inside the host's network namespace and cgroup. The learner's shells and
// daemon join them, so `ps` shows only the host's own processes, its /proc is its own, and its
// hostname is host1, host2…; killing the init ends every process in the namespace at once.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cgroupControllers } from './cgroup.ts';

const tini = '/usr/bin/tini-static';
/** What a root helper started by the agent gets for an environment: nothing of the agent's own. */
export const helperEnvironment = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
const systemTrustStore = '/etc/ssl/certs/ca-certificates.crt';

export interface NamespaceSpec {
  netns: string;
  cgroup: string;
  hostname: string;
  /** Files mounted over the machine's /etc/hosts, /etc/resolv.conf and trust store. */
  hostsFile: string;
  resolvConf: string;
  trustStore: string;
  /** Size of the private /tmp and /var/tmp, e.g. 268435456. */
  tmpBytes: number;
}

/**
 * Starts the init that holds the namespaces and returns its pid (as the machine sees it). Private
 * /tmp, /var/tmp and /dev/shm (capped, counted in the host's memory), its own /etc/hosts, resolver
 * and trust store: a sandbox has no DNS to reach, and a lookup that waits for one stalls the daemon.
 */
export async function startNamespaceHolder(spec: NamespaceSpec): Promise<number> {
  if (!/^[a-z0-9-]{1,30}$/.test(spec.hostname)) throw new Error(`Invalid hostname "${spec.hostname}".`);
  const tmp = `size=${spec.tmpBytes},mode=1777,nosuid,nodev`;
  const script = `mount -t tmpfs -o ${tmp} tmpfs /tmp
mount -t tmpfs -o ${tmp} tmpfs /var/tmp
mount -t tmpfs -o size=64m,mode=1777,nosuid,nodev tmpfs /dev/shm
mount --bind '${spec.hostsFile}' /etc/hosts
mount --bind '${spec.resolvConf}' /etc/resolv.conf
mount --bind '${spec.trustStore}' ${systemTrustStore}
hostname ${spec.hostname}
echo ready
exec ${tini} -s -- sleep infinity </dev/null >/dev/null 2>&1`;
  const child = spawn(
    'nsenter',
    [`--net=/run/netns/${spec.netns}`, 'cgexec', '-g', `${cgroupControllers.join(',')}:${spec.cgroup}`,
      'unshare', '--mount', '--propagation', 'slave', '--uts', '--ipc', '--pid', '--fork', '--mount-proc', 'sh', '-ec', script],
    // Detached: the namespaces live as long as the host, not as long as this call.
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: helperEnvironment },
  );
  child.unref();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-2000)));
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (text.includes('ready')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  child.stdout.destroy();
  child.stderr.destroy();
  // nsenter and cgexec exec into unshare, whose only child is the namespaces' init.
  const init = ready ? Number((await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').catch(() => '')).trim().split(' ')[0]) : NaN;
  if (!Number.isInteger(init) || init <= 0) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw new Error(`The namespaces of sandbox host ${spec.hostname} did not start: ${stderr.trim() || 'no output'}`);
  }
  // Its oom_score_adj stays 0 (lowering it needs CAP_SYS_RESOURCE, which these machines lack): at
  // about a megabyte, the init is never the largest process in the cgroup, which the OOM killer picks.
  return init;
}

/** The nsenter arguments that put a command into the host's namespaces (network included), in its home. */
export function enterNamespaces(holderPID: number, netns: string, workdir: string): string[] {
  return [`--target=${holderPID}`, '--mount', '--uts', '--ipc', '--pid', `--net=/run/netns/${netns}`, `--wd=${workdir}`];
}
