// The lesson's commands, verbatim, in a sandbox: they must do what the guide says they do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHost, learnerShell, sandboxHosts } from '../test-support/test-machine.ts';
import type { SandboxHostRecord } from './sandbox-host.ts';

/** Waits for PostgreSQL on localhost:5433 inside the host, then runs a query with psql. */
const psql = (query: string) =>
  `for i in $(seq 60); do PGPASSWORD=doca psql -h localhost -p 5433 -U postgres -tAc "${query}" 2>/dev/null && exit 0; sleep 0.5; done; exit 1`;

describe('the guide commands in a sandbox', () => {
  let host: SandboxHostRecord;
  beforeAll(async () => {
    host = await createTestHost();
  });
  afterAll(() => sandboxHosts.destroy(host.id));

  it('docker run --rm hello-world explains what happened, in Portuguese and English', async () => {
    const result = await learnerShell(host, 'docker run --rm hello-world');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Hello from Docker!/);
    expect(result.stdout).toMatch(/Olá do Docker!/);
  });

  it('docker pull postgres downloads the image through the mirror, unprefixed', async () => {
    const result = await learnerShell(host, 'docker pull postgres && docker images --format "{{.Repository}}:{{.Tag}}"');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Status: Downloaded newer image for postgres:latest');
    expect(result.stdout).toContain('postgres:latest');
  });

  it('docker run -p 5433:5432 postgres serves psql on localhost:5433', async () => {
    const run = await learnerShell(host, 'docker run -d --name banco -p 5433:5432 -e POSTGRES_PASSWORD=doca postgres');
    expect(run.code).toBe(0);
    const query = await learnerShell(host, psql('select 40 + 2'));
    expect(query.stdout.trim()).toBe('42');
    const ps = await learnerShell(host, 'docker ps --format "{{.Names}} {{.Ports}}"');
    expect(ps.stdout).toMatch(/banco .*0\.0\.0\.0:5433->5432\/tcp/);
  });

  it('docker build . builds an image from a Dockerfile', async () => {
    const result = await learnerShell(
      host,
      `mkdir -p ~/app && cd ~/app && printf 'FROM busybox\\nRUN echo construída > /mensagem\\nCMD ["cat", "/mensagem"]\\n' > Dockerfile && docker build -t minhaimagem:1.0 . && docker run --rm minhaimagem:1.0`,
    );
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('construída');
  });

  it('creates networks and volumes', async () => {
    const result = await learnerShell(
      host,
      'docker network create rede && docker volume create dados && docker network ls --format "{{.Name}}" && docker volume ls --format "{{.Name}}" && docker run --rm --network rede -v dados:/d busybox sh -c "echo ok > /d/f && cat /d/f"',
    );
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual(expect.arrayContaining(['rede', 'dados', 'ok']));
  });

  it('runs its own registry and pushes and pulls localhost:5000/minhaimagem:1.0', async () => {
    const result = await learnerShell(
      host,
      `docker run -d -p 5000:5000 --name registro registry >/dev/null &&
       for i in $(seq 50); do curl -sf http://localhost:5000/v2/ >/dev/null && break; sleep 0.2; done &&
       docker tag minhaimagem:1.0 localhost:5000/minhaimagem:1.0 &&
       docker push localhost:5000/minhaimagem:1.0 &&
       docker rmi localhost:5000/minhaimagem:1.0 minhaimagem:1.0 >/dev/null &&
       docker pull localhost:5000/minhaimagem:1.0 &&
       curl -s http://localhost:5000/v2/_catalog`,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('{"repositories":["minhaimagem"]}');
  });
});

describe('two learners publishing the same port', () => {
  let a: SandboxHostRecord;
  let b: SandboxHostRecord;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestHost(), createTestHost()]);
  });
  afterAll(() => Promise.all([a, b].filter(Boolean).map((host) => sandboxHosts.destroy(host.id))));

  it('each gets their own postgres on localhost:5433, and cannot reach the other one', async () => {
    const start = (host: SandboxHostRecord, marker: string) =>
      learnerShell(host, `docker run -d -p 5433:5432 -e POSTGRES_PASSWORD=doca -e POSTGRES_DB=${marker} postgres`);
    const [runA, runB] = await Promise.all([start(a, 'banco_a'), start(b, 'banco_b')]);
    expect([runA.code, runB.code]).toEqual([0, 0]);
    const [dbA, dbB] = await Promise.all([learnerShell(a, psql("select datname from pg_database where datname like 'banco_%'")), learnerShell(b, psql("select datname from pg_database where datname like 'banco_%'"))]);
    expect(dbA.stdout.trim()).toBe('banco_a');
    expect(dbB.stdout.trim()).toBe('banco_b');
    const across = await learnerShell(a, `PGPASSWORD=doca PGCONNECT_TIMEOUT=3 psql -h ${b.address} -p 5433 -U postgres -tAc 'select 1' 2>&1; echo "exit=$?"`);
    expect(across.stdout).not.toMatch(/^1$/m);
    expect(across.stdout).toMatch(/exit=2/);
  });
});
