// Escape attempts from inside a sandbox. Each names a classic way out of a container to the host;
// each must leave the learner with no more than their own unprivileged user.
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHost, learnerShell, sandboxHosts, testConfig } from '../test-support/test-machine.ts';
import type { SandboxHostRecord } from './sandbox-host.ts';

describe('escaping a sandbox', () => {
  let host: SandboxHostRecord;
  let neighbour: SandboxHostRecord;
  // A service of the machine listening on every address, which no sandbox may reach.
  const machineService = createServer((socket) => socket.end('machine-service\n'));
  const machinePort = 7104;
  beforeAll(async () => {
    await new Promise<void>((resolve) => machineService.listen(machinePort, '0.0.0.0', resolve));
    [host, neighbour] = await Promise.all([createTestHost(), createTestHost()]);
    await learnerShell(host, 'docker pull -q busybox >/dev/null');
  });
  afterAll(async () => {
    machineService.close();
    await Promise.all([host, neighbour].filter(Boolean).map((h) => sandboxHosts.destroy(h.id)));
  });

  it('docker run -v /:/host cannot read /etc/shadow or write host files', async () => {
    const marker = `/etc/doca-escape-${host.id}`;
    const result = await learnerShell(
      host,
      `docker run --rm -v /:/host busybox sh -c 'cat /host/etc/shadow; echo pwned > /host${marker}; echo pwned > /host/root/doca-escape; touch /host/usr/bin/doca-escape' 2>&1`,
    );
    expect(result.stdout).not.toMatch(/^root:/m);
    expect(result.stdout.match(/Permission denied|Read-only file system/g)?.length).toBeGreaterThanOrEqual(3);
    for (const path of [marker, '/root/doca-escape', '/usr/bin/doca-escape']) expect(existsSync(path)).toBe(false);
  });

  it('docker run --pid=host does not show the machine processes', async () => {
    const result = await learnerShell(host, `docker run --rm --pid=host busybox sh -c 'ps -o comm | grep -c -w -e systemd -e process_api -e node' 2>&1; echo "exit=$?"`);
    expect(result.stdout).not.toMatch(/^[1-9]\d*$/m);
  });

  it('docker run --net=host gets the sandbox network, not the machine one', async () => {
    const result = await learnerShell(
      host,
      `docker run --rm --net=host busybox sh -c 'ip -o addr; wget -q -T 3 -O- http://${testConfig.DOCA_BRIDGE_ADDRESS}:${machinePort}/ 2>&1; echo "wget=$?"' 2>&1`,
    );
    expect(result.stdout).toMatch(/^\d+: lo /m); // the container did list its interfaces
    expect(result.stdout).not.toContain(testConfig.DOCA_BRIDGE);
    expect(result.stdout).not.toContain(`inet ${testConfig.DOCA_BRIDGE_ADDRESS}/`);
    expect(result.stdout).not.toContain('machine-service');
    expect(result.stdout).toMatch(/wget=1/);
  });

  it("mounting another learner's Docker socket gives no access to their daemon", async () => {
    // Connecting to a unix socket takes write permission on it: the test looks for exactly that.
    const result = await learnerShell(
      host,
      `docker run --rm -v ${neighbour.dockerSocket}:/var/run/docker.sock busybox sh -c '[ -w /var/run/docker.sock ] && echo socket-writable || echo socket-refused' 2>&1; echo "exit=$?"`,
    );
    expect(result.stdout).not.toContain('socket-writable');
    expect(result.stdout).toMatch(/socket-refused|permission denied/i);
  });

  it('a container cannot mount a cgroup hierarchy to set a release_agent', async () => {
    const result = await learnerShell(
      host,
      `docker run --rm --cap-add SYS_ADMIN --security-opt apparmor=unconfined busybox sh -c 'mkdir -p /tmp/cg && mount -t cgroup -o memory cgroup /tmp/cg && echo /escape > /tmp/cg/release_agent && echo mounted' 2>&1; echo "exit=$?"`,
    );
    expect(result.stdout).not.toContain('mounted');
    expect(existsSync('/escape')).toBe(false);
  });

  it("nsenter into the learner's own rootless namespaces gains nothing on the machine", async () => {
    const result = await learnerShell(
      host,
      `pid=$(pgrep -u "$USER" -x dockerd); nsenter --preserve-credentials -U -m -t "$pid" sh -c 'id -u; cat /etc/shadow' 2>&1; echo "exit=$?"`,
    );
    expect(result.stdout).not.toMatch(/^root:/m);
    expect(result.stdout).toMatch(/Permission denied/);
  });
});
