// Several hosts per session: host1 drives host2's daemon over TLS; other sessions cannot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../system/shell.ts';
import { firewallChains } from '../machine/network.ts';
import { createTestSession, learnerShell, sandboxSessions, testConfig } from '../test-support/test-machine.ts';
import type { SessionRecord } from './session.ts';

describe('a session of two hosts', () => {
  let session: SessionRecord;
  let stranger: SessionRecord;
  beforeAll(async () => {
    [session, stranger] = await Promise.all([createTestSession(2), createTestSession(1)]);
  });
  afterAll(async () => {
    for (const s of [session, stranger].filter(Boolean)) await sandboxSessions.destroy(s);
  });

  it('names its hosts host1 and host2, each with its own daemon', () => {
    expect(session.hosts.map((host) => host.name)).toEqual(['host1', 'host2']);
    expect(new Set(session.hosts.map((host) => host.dockerSocket)).size).toBe(2);
  });

  it('lets host1 drive the daemon of host2 with docker -H tcp://host2:2376 --tlsverify', async () => {
    const [host1, host2] = session.hosts;
    const fromHost1 = await learnerShell(
      host1,
      'docker -H tcp://host2:2376 --tlsverify pull -q busybox >/dev/null && docker -H tcp://host2:2376 --tlsverify create --name criado-por-host1 busybox true',
    );
    expect(fromHost1.code).toBe(0);
    const onHost2 = await learnerShell(host2, 'docker ps -a --format "{{.Names}}"');
    expect(onHost2.stdout.trim().split('\n')).toContain('criado-por-host1');
    const onHost1 = await learnerShell(host1, 'docker ps -a --format "{{.Names}}"');
    expect(onHost1.stdout).not.toContain('criado-por-host1');
  });

  it('refuses a client without the session certificate', async () => {
    const [host1] = session.hosts;
    const result = await learnerShell(host1, 'docker -H tcp://host2:2376 version 2>&1; echo "exit=$?"');
    expect(result.stdout).toMatch(/Client sent an HTTP request to an HTTPS server|tls|certificate/i);
    expect(result.stdout).not.toMatch(/^Server:/m);
  });

  it('is out of reach of another session, even on the daemon port', async () => {
    const [, host2] = session.hosts;
    const [outsider] = stranger.hosts;
    const result = await learnerShell(outsider, `curl -s -m 3 telnet://${host2.address}:2376 </dev/null; echo "exit=$?"; docker -H tcp://${host2.address}:2376 --tlsverify version 2>&1 | tail -1`);
    expect(result.stdout).toMatch(/exit=(7|28|56)/);
    expect(result.stdout).not.toMatch(/^Server:/m);
  });

  it('keeps at most three hosts', async () => {
    await expect(sandboxSessions.create(4)).rejects.toThrow(RangeError);
  });
});

describe('destroying a session', () => {
  it('removes the rules that let its hosts reach each other', async () => {
    const session = await createTestSession(3);
    const { peers } = firewallChains(testConfig.DOCA_BRIDGE);
    const rules = () => check('iptables', ['-S', peers]).then((result) => result.stdout);
    const addresses = session.hosts.map((host) => host.address);
    expect((await rules()).split('\n').filter((rule) => addresses.some((a) => rule.includes(a)))).toHaveLength(6);
    await sandboxSessions.destroy(session);
    const after = await rules();
    for (const address of addresses) expect(after).not.toContain(`${address}/32`);
  });
});
