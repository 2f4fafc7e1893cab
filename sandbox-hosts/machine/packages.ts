// The Debian packages a sandbox-host machine needs, each with a file that proves it is installed.
import { ensureDebianPackages } from '../../scripts/os-packages.mjs';

export const sandboxHostPackages = [
  { packageName: 'docker.io', provides: '/usr/sbin/dockerd', purpose: 'the Docker daemon every sandbox runs' },
  { packageName: 'docker-registry', provides: '/usr/bin/docker-registry', purpose: 'the Docker Hub mirror' },
  { packageName: 'rootlesskit', provides: '/usr/bin/rootlesskit', purpose: 'rootless Docker' },
  { packageName: 'slirp4netns', provides: '/usr/bin/slirp4netns', purpose: 'rootless Docker networking' },
  { packageName: 'uidmap', provides: '/usr/bin/newuidmap', purpose: 'rootless Docker user namespaces' },
  { packageName: 'cgroup-tools', provides: '/usr/bin/cgexec', purpose: 'resource caps per sandbox' },
  { packageName: 'iptables', provides: '/usr/sbin/iptables', purpose: 'sandbox firewalls' },
  { packageName: 'iproute2', provides: '/usr/sbin/ip', purpose: 'sandbox networks' },
  { packageName: 'busybox-static', provides: '/bin/busybox', purpose: 'the busybox image' },
  { packageName: 'debootstrap', provides: '/usr/sbin/debootstrap', purpose: 'the debian base image' },
  { packageName: 'gcc', provides: '/usr/bin/gcc', purpose: 'the hello-world image' },
  { packageName: 'libc6-dev', provides: '/usr/lib/x86_64-linux-gnu/libc.a', purpose: 'the hello-world image' },
  { packageName: 'postgresql-client', provides: '/usr/bin/psql', purpose: 'psql in learner shells' },
  { packageName: 'curl', provides: '/usr/bin/curl', purpose: 'curl in learner shells' },
  { packageName: 'vim-tiny', provides: '/usr/bin/vim.tiny', purpose: 'an editor in learner shells' },
  { packageName: 'nano', provides: '/bin/nano', purpose: 'an editor in learner shells' },
  { packageName: 'bash-completion', provides: '/usr/share/bash-completion/bash_completion', purpose: 'Tab completion of docker commands in learner shells' },
] as const;

export function ensureSandboxHostPackages(): void {
  ensureDebianPackages([...sandboxHostPackages]);
}
