// A sandbox host against the real thing: rootless dockerd, network namespace, cgroup, firewall.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, isAlive, succeeds } from '../system/shell.ts';
import { createTestHost, learnerShell, sandboxHosts, testConfig } from '../test-support/test-machine.ts';
import type { SandboxHostRecord } from './sandbox-host.ts';

describe('a sandbox host', () => {
  let host: SandboxHostRecord;
  beforeAll(async () => {
    host = await createTestHost();
  });
  afterAll(() => sandboxHosts.destroy(host.id));

  it('gives the learner a shell as their own unprivileged user', async () => {
    const result = await learnerShell(host, 'id -un; id -u; echo "$HOME"');
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([host.user, String(host.uid), host.home]);
    expect(host.uid).toBeGreaterThan(0);
  });

  it('runs a real Docker daemon the learner talks to: docker version shows client and server', async () => {
    const result = await learnerShell(host, 'docker version && docker info --format "{{.SecurityOptions}}"');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Client:/m);
    expect(result.stdout).toMatch(/^Server:/m);
    expect(result.stdout).toContain('name=rootless');
  });

  it('has its own network: one address on the bridge, no route beyond it', async () => {
    const result = await learnerShell(host, 'ip -4 -o addr show; ip route');
    expect(result.stdout).toContain(`inet ${host.address}/24`);
    expect(result.stdout).not.toContain('default');
  });

  it('reaches the Docker Hub mirror', async () => {
    const result = await learnerShell(host, `curl -s -o /dev/null -w '%{http_code}' http://${testConfig.DOCA_BRIDGE_ADDRESS}:${testConfig.DOCA_MIRROR_PORT}/v2/`);
    expect(result.stdout).toBe('200');
  });

  it('is capped by its cgroup', async () => {
    const cgroup = `/sys/fs/cgroup/memory/doca/${host.id}`;
    expect(Number(await readFile(`${cgroup}/memory.limit_in_bytes`, 'utf8'))).toBe(testConfig.DOCA_HOST_MEMORY);
    const procs = (await readFile(`/sys/fs/cgroup/pids/doca/${host.id}/cgroup.procs`, 'utf8')).trim().split('\n');
    expect(procs.length).toBeGreaterThan(2); // rootlesskit, dockerd, containerd…
  });

  it('has its own PID, IPC and UTS namespaces: ps shows only its own processes, the hostname is its name', async () => {
    const result = await learnerShell(host, 'hostname; echo ---; ps -eo pid=,uid=,comm=; echo ---; cat /proc/1/environ 2>&1; echo ---; ipcs -m | wc -l');
    const [hostname, ps, init] = result.stdout.split('---\n');
    expect(hostname.trim()).toBe('host1');
    const processes = ps.trim().split('\n').map((line) => line.trim().split(/\s+/));
    // The init holding the namespaces, then the daemon's processes and this shell: nothing of the machine's.
    expect(processes[0].slice(0, 1)).toEqual(['1']);
    expect(processes.map(([, , comm]) => comm)).toEqual(expect.arrayContaining(['rootlesskit', 'dockerd', 'containerd', 'ps']));
    expect(processes.every(([, uid]) => uid === String(host.uid) || uid === '0')).toBe(true);
    expect(processes.map(([, , comm]) => comm)).not.toContain('node');
    expect(processes.length).toBeLessThan(30);
    expect(init).toContain('Permission denied'); // the init is root's: the learner cannot read its environment
    // The machine's own processes are not there to read, signal or attach to.
    expect((await learnerShell(host, `kill -0 ${process.pid} 2>&1; ls /proc/${process.pid} 2>&1`)).stdout).toMatch(/No such process[\s\S]*No such file/);
  });

  it('keeps its runtime folder on a capped tmpfs of its own, counted in its memory; home is nosuid and nodev', async () => {
    const result = await learnerShell(host, 'findmnt -no FSTYPE,SIZE,OPTIONS "$XDG_RUNTIME_DIR"; findmnt -no OPTIONS "$HOME"');
    const [runtime, home] = result.stdout.trim().split('\n');
    expect(runtime).toMatch(/^tmpfs\s+64M\s/);
    expect(home).toContain('nosuid');
    expect(home).toContain('nodev');
    // Filling it stops at its own cap, and the machine's /run keeps its room.
    const before = (await check('df', ['--output=avail', '/run'])).stdout;
    const fill = await learnerShell(host, 'dd if=/dev/zero of="$XDG_RUNTIME_DIR/fill" bs=1M count=200 2>&1; rm -f "$XDG_RUNTIME_DIR/fill"');
    expect(fill.stdout).toContain('No space left on device');
    expect((await check('df', ['--output=avail', '/run'])).stdout).toBe(before);
    expect((await learnerShell(host, 'docker info --format "{{.ServerVersion}}"')).code).toBe(0);
  });

  it('keeps the learner files on a disk of its own, and /tmp private', async () => {
    const result = await learnerShell(host, `df -B1 --output=size "$HOME" | tail -1; echo marker > /tmp/mine; ls /tmp`);
    const [diskSize] = result.stdout.trim().split('\n');
    expect(Number(diskSize)).toBeLessThanOrEqual(testConfig.DOCA_HOST_DISK);
    expect(Number(diskSize)).toBeGreaterThan(testConfig.DOCA_HOST_DISK * 0.8);
    expect(existsSync('/tmp/mine')).toBe(false);
  });
});

describe('destroying a sandbox host', () => {
  it('leaves no user, process, cgroup, namespace, interface, mount or folder behind', async () => {
    const host = await createTestHost();
    await learnerShell(host, 'sleep 300 >/dev/null 2>&1 & docker info >/dev/null');
    const names = sandboxHosts.names(host.id);
    await sandboxHosts.destroy(host.id);

    expect(await succeeds('id', [host.user])).toBe(false);
    // Killed processes may linger as zombies until init reaps them; they hold nothing but a pid.
    const live = (await check('ps', ['-eo', 'uid=,stat='])).stdout.split('\n').map((line) => line.trim().split(/\s+/));
    expect(live.filter(([uid, stat]) => uid === String(host.uid) && !stat?.startsWith('Z'))).toEqual([]);
    for (const controller of ['memory', 'pids', 'cpu']) expect(existsSync(`/sys/fs/cgroup/${controller}/${names.cgroup}`)).toBe(false);
    expect((await check('ip', ['netns', 'list'])).stdout).not.toContain(names.netns);
    expect(await succeeds('ip', ['link', 'show', names.hostVeth])).toBe(false);
    const mounts = await readFile('/proc/self/mountinfo', 'utf8');
    expect(mounts).not.toContain(names.home);
    expect(mounts).not.toContain(`/run/user/${host.uid}`);
    expect(isAlive(host.holderPID)).toBe(false);
    for (const path of [names.dir, names.home, `/run/user/${host.uid}`]) expect(existsSync(path)).toBe(false);
    expect((await check('losetup', ['-a'])).stdout).not.toContain(names.disk);
    expect(await readFile('/etc/subuid', 'utf8')).not.toContain(host.user);
  });

  it('is safe to repeat', async () => {
    const host = await createTestHost();
    await sandboxHosts.destroy(host.id);
    await expect(sandboxHosts.destroy(host.id)).resolves.toBeUndefined();
  });
});
