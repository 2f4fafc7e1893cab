// The one list of Debian packages Doca needs on a machine, each with a file that proves it is
// installed. The preflight installs the sandbox host's; `npm test` adds the browser tests' own.
export interface DebianPackage {
  packageName: string;
  /** A file the package installs; its absence means the package is missing. */
  provides: string;
  purpose: string;
}

export const sandboxHostPackages = [
  { packageName: 'docker.io', provides: '/usr/sbin/dockerd', purpose: 'the Docker daemon every sandbox runs' },
  { packageName: 'docker-registry', provides: '/usr/bin/docker-registry', purpose: 'the Docker Hub mirror' },
  { packageName: 'tini', provides: '/usr/bin/tini-static', purpose: 'the init holding each sandbox’s PID namespace' },
  { packageName: 'rootlesskit', provides: '/usr/bin/rootlesskit', purpose: 'rootless Docker' },
  { packageName: 'slirp4netns', provides: '/usr/bin/slirp4netns', purpose: 'rootless Docker networking' },
  { packageName: 'uidmap', provides: '/usr/bin/newuidmap', purpose: 'rootless Docker user namespaces' },
  { packageName: 'cgroup-tools', provides: '/usr/bin/cgexec', purpose: 'resource caps per sandbox' },
  { packageName: 'iptables', provides: '/usr/sbin/iptables', purpose: 'sandbox firewalls' },
  { packageName: 'iproute2', provides: '/usr/sbin/ip', purpose: 'sandbox networks' },
  { packageName: 'util-linux', provides: '/usr/bin/nsenter', purpose: 'entering sandbox namespaces' },
  { packageName: 'e2fsprogs', provides: '/usr/sbin/mkfs.ext4', purpose: 'sandbox disks' },
  { packageName: 'procps', provides: '/usr/bin/pkill', purpose: 'stopping a sandbox’s processes' },
  { packageName: 'openssl', provides: '/usr/bin/openssl', purpose: 'certificates for the Hub stand-in and session TLS' },
  { packageName: 'ca-certificates', provides: '/etc/ssl/certs/ca-certificates.crt', purpose: 'the trust store sandboxes extend' },
  { packageName: 'busybox-static', provides: '/bin/busybox', purpose: 'the busybox image' },
  { packageName: 'debootstrap', provides: '/usr/sbin/debootstrap', purpose: 'the debian base image' },
  { packageName: 'gcc', provides: '/usr/bin/gcc', purpose: 'the hello-world image' },
  { packageName: 'libc6-dev', provides: '/usr/lib/x86_64-linux-gnu/libc.a', purpose: 'the hello-world image' },
  { packageName: 'postgresql-client', provides: '/usr/bin/psql', purpose: 'psql in learner shells' },
  { packageName: 'curl', provides: '/usr/bin/curl', purpose: 'curl in learner shells' },
  { packageName: 'vim-tiny', provides: '/usr/bin/vim.tiny', purpose: 'an editor in learner shells' },
  { packageName: 'nano', provides: '/bin/nano', purpose: 'an editor in learner shells' },
  { packageName: 'bash-completion', provides: '/usr/share/bash-completion/bash_completion', purpose: 'Tab completion of docker commands in learner shells' },
] as const satisfies readonly DebianPackage[];

/** What the browser tests need besides the sandbox host's packages. */
export const testPackages = [
  { packageName: 'chromium', provides: '/usr/bin/chromium', purpose: 'the browser the end-to-end tests drive' },
  { packageName: 'fonts-dejavu-core', provides: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', purpose: 'text in browser screenshots' },
] as const satisfies readonly DebianPackage[];
