// Two learners at once, and what each tries against the other and against the machine. Every test
// names an attack; each must fail to give access.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHost, learnerShell, sandboxHosts, testConfig } from '../test-support/test-machine.ts';
import { helperEnvironment } from './namespaces.ts';
import type { SandboxHostRecord } from './sandbox-host.ts';

describe('two learners on one machine', () => {
  let a: SandboxHostRecord;
  let b: SandboxHostRecord;
  let listenerInB: ChildProcess;
  const hostServers: Server[] = [];

  beforeAll(async () => {
    [a, b] = await Promise.all([createTestHost(), createTestHost()]);
    // Something listening in B's namespace, as a published container port would be.
    const { file, args } = sandboxHosts.commandIn(b, ['busybox', 'nc', '-ll', '-p', '7000', '-e', 'echo', 'secret-of-b']);
    listenerInB = spawn(file, args, { stdio: 'ignore', env: helperEnvironment });
    // Services on the machine itself: on the bridge address, on every address, on loopback.
    for (const host of [testConfig.DOCA_BRIDGE_ADDRESS, '0.0.0.0', '127.0.0.1']) {
      const server = createServer((socket) => socket.end('host-service\n'));
      await new Promise<void>((resolve) => server.listen(host === '0.0.0.0' ? 7102 : host === '127.0.0.1' ? 7103 : 7101, host, resolve));
      hostServers.push(server);
    }
    await learnerShell(b, 'for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/7000) 2>/dev/null && break; sleep 0.1; done');
  });

  afterAll(async () => {
    listenerInB?.kill('SIGKILL');
    hostServers.forEach((server) => server.close());
    await Promise.all([a, b].filter(Boolean).map((host) => sandboxHosts.destroy(host.id)));
  });

  it('B reaches its own listener (the control for the tests below)', async () => {
    const result = await learnerShell(b, 'busybox nc 127.0.0.1 7000 </dev/null');
    expect(result.stdout).toContain('secret-of-b');
  });

  it('learner A cannot open a connection to learner B', async () => {
    const result = await learnerShell(a, `curl -s -m 3 telnet://${b.address}:7000 </dev/null; echo "exit=$?"`);
    expect(result.stdout).not.toContain('secret-of-b');
    expect(result.stdout).toMatch(/exit=(7|28|56)/);
  });

  it('learner A cannot reach services of the machine: not on the bridge address, not on any address', async () => {
    const gateway = testConfig.DOCA_BRIDGE_ADDRESS;
    const result = await learnerShell(a, `for p in 7101 7102; do curl -s -m 3 telnet://${gateway}:$p </dev/null; echo "exit=$?"; done`);
    expect(result.stdout).not.toContain('host-service');
    expect(result.stdout.match(/exit=(7|28|56)/g)).toHaveLength(2);
  });

  it("learner A's loopback is its own, not the machine's", async () => {
    const result = await learnerShell(a, 'curl -s -m 3 telnet://127.0.0.1:7103 </dev/null; echo "exit=$?"');
    expect(result.stdout).not.toContain('host-service');
  });

  it("learner A cannot use learner B's Docker daemon socket", async () => {
    const result = await learnerShell(a, `DOCKER_HOST=unix://${b.dockerSocket} docker ps 2>&1; echo "exit=$?"`);
    expect(result.stdout).toMatch(/permission denied/i);
    expect(result.stdout).toContain('exit=1');
  });

  it("learner A cannot read learner B's files or the agent's records", async () => {
    const names = sandboxHosts.names(b.id);
    const result = await learnerShell(a, `ls ${b.home} 2>&1; cat ${names.record} 2>&1; ls /run/user/${b.uid} 2>&1; cat /etc/shadow 2>&1`);
    expect(result.stdout.match(/Permission denied/g)?.length).toBe(4);
  });

  it('learner A cannot change its own firewall', async () => {
    const result = await learnerShell(a, 'iptables -F 2>&1; /usr/sbin/iptables -P OUTPUT ACCEPT 2>&1; echo "exit=$?"');
    expect(result.stdout).toMatch(/Permission denied|must be root/);
    expect(result.stdout).not.toContain('exit=0');
  });

  it("learner A cannot list learner B's processes or the machine's: ps and /proc show only A's own", async () => {
    const result = await learnerShell(a, 'ps -eo pid=,args=; echo ---; ls -d /proc/[0-9]* | wc -l');
    const [ps, count] = result.stdout.split('---\n');
    expect(ps).not.toContain('secret-of-b');
    expect(ps).not.toMatch(/node|vitest|docker-registry|nsenter/);
    expect(Number(count)).toBeLessThan(30);
    // The control: B's own ps shows its listener. By the machine's pid, A finds nothing either.
    expect((await learnerShell(b, 'ps -eo args=')).stdout).toContain('secret-of-b');
    const machinePID = listenerInB.pid!;
    const probe = await learnerShell(a, `cat /proc/${machinePID}/cmdline /proc/${machinePID}/environ 2>&1; kill -0 ${machinePID} 2>&1`);
    expect(probe.stdout).not.toContain('secret-of-b');
    expect(probe.stdout).toMatch(/No such file or directory[\s\S]*No such process/);
  });

  it("learner A cannot read learner B's environment, even in a loop while B starts processes", async () => {
    const marker = `secret-${Date.now()}`;
    const inB = learnerShell(b, `for i in $(seq 40); do env B_SECRET=${marker} sleep 0.2; done`);
    const reader = await learnerShell(
      a,
      `end=$((SECONDS+6)); n=0; while [ $SECONDS -lt $end ]; do cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -a ${marker}; n=$((n+1)); done > /tmp/found; echo "rounds=$n"; sort -u /tmp/found`,
      60_000,
    );
    await inB;
    expect(reader.stdout).not.toContain(marker);
    expect(Number(/rounds=(\d+)/.exec(reader.stdout)?.[1])).toBeGreaterThan(0);
    // The control: the same loop does read environments it may read (the learner's own shell's).
    const control = await learnerShell(a, `A_OWN=1 bash -c 'cat /proc/$$/environ | tr "\\0" "\\n" | grep -a "^A_OWN="'`);
    expect(control.stdout.trim()).toBe('A_OWN=1');
  });

  it("learner A cannot enter the machine's namespaces with nsenter", async () => {
    const result = await learnerShell(a, 'nsenter -t 1 -m -u -n -p -i true 2>&1; echo "exit=$?"');
    expect(result.stdout).toMatch(/Operation not permitted|Permission denied/);
    expect(result.stdout).not.toContain('exit=0');
  });
});
