// The check engine offline: conditions and steps against recorded sessions (facts, API calls,
// commands) and state snapshots, including state reads that hang or fail.
import { describe, expect, it } from 'vitest';
import type { DockerFact } from '../../../protocol/events.ts';
import arquitetura from '../arquitetura/lab.ts';
import { conditionSchema, normalizeImage, type ConditionInput } from './conditions.ts';
import { apiPathOf, evaluateCondition, evaluateStep, type LabRecord } from './evaluate.ts';
import type { StateReader } from './state-conditions.ts';
import { snapshotState, type StateSnapshot } from './snapshot.ts';

const empty: LabRecord = { facts: [], apiCalls: [], commands: [], daemonRestarts: [] };
const record = (parts: Partial<LabRecord>): LabRecord => ({ ...empty, ...parts });
const condition = (input: ConditionInput) => conditionSchema.parse(input);
const check = (input: ConditionInput, done: LabRecord = empty, state: StateSnapshot = {}) => evaluateCondition(condition(input), done, snapshotState(state));

const postgres = (name: string, running: boolean, ports: { hostPort?: number; containerPort: number }[] = [], status = running ? 'Up 2 seconds' : 'Exited (1) 2 seconds ago') => ({
  name,
  image: 'postgres',
  running,
  status,
  ports,
});

describe('image names', () => {
  it('takes postgres, postgres:latest and docker.io/library/postgres for one image, and keeps registries apart', () => {
    expect(new Set(['postgres', 'postgres:latest', 'docker.io/library/postgres', 'library/postgres:latest'].map(normalizeImage))).toEqual(new Set(['postgres:latest']));
    expect(normalizeImage('localhost:5000/minhaimagem')).toBe('localhost:5000/minhaimagem:latest');
    expect(normalizeImage('localhost:5000/minhaimagem:1.0')).not.toBe(normalizeImage('minhaimagem:1.0'));
  });

  it('strips the API version and the query from a logged path', () => {
    expect(apiPathOf('/v1.47/containers/json?all=1')).toBe('/containers/json');
    expect(apiPathOf('/version')).toBe('/version');
    expect(apiPathOf('/v1.47')).toBe('/v1.47');
  });
});

describe('did it', () => {
  const pulled: DockerFact = { kind: 'pulled', host: 'host1', image: 'postgres:latest' };

  it('a pull on the host passes; one on another host, or of another tag, does not', async () => {
    expect(await check({ kind: 'pulled', host: 'host1', image: 'postgres' }, record({ facts: [pulled] }))).toEqual({ status: 'holds' });
    expect(await check({ kind: 'pulled', host: 'host2', image: 'postgres' }, record({ facts: [pulled] }))).toEqual({
      status: 'fails',
      reason: { code: 'not-pulled', values: { host: 'host2', image: 'postgres' } },
    });
    expect((await check({ kind: 'pulled', host: 'host1', image: 'postgres:16' }, record({ facts: [pulled] }))).status).toBe('fails');
  });

  it('an API call matches its whole path, whatever the API version', async () => {
    const calls = record({ apiCalls: [{ host: 'host1', method: 'GET', path: '/v1.47/version' }] });
    expect(await check({ kind: 'api-call', host: 'host1', method: 'GET', path: '/version' }, calls)).toEqual({ status: 'holds' });
    expect((await check({ kind: 'api-call', host: 'host1', method: 'GET', path: '/vers' }, calls)).status).toBe('fails');
    expect((await check({ kind: 'api-call', host: 'host1', method: 'POST', path: '/version' }, calls)).status).toBe('fails');
  });

  it('a command that failed says so with its exit status; one run again successfully passes', async () => {
    const wanted: ConditionInput = { kind: 'command', host: 'host1', command: 'docker version( .*)?', example: 'docker version' };
    expect(await check(wanted)).toMatchObject({ status: 'fails', reason: { code: 'command-not-run', values: { command: 'docker version' } } });
    const failed = record({ commands: [{ host: 'host1', command: 'docker version --format x', exitCode: 1 }] });
    expect(await check(wanted, failed)).toMatchObject({ status: 'fails', reason: { code: 'command-failed', values: { exitCode: '1' } } });
    expect(await check(wanted, record({ commands: [...failed.commands, { host: 'host1', command: 'docker version', exitCode: 0 }] }))).toEqual({ status: 'holds' });
    expect((await check(wanted, record({ commands: [{ host: 'host1', command: 'docker versions', exitCode: 0 }] }))).status).toBe('fails');
  });

  it('a hand-made request is told from the CLI\'s by the API version the CLI always names', async () => {
    const wanted: ConditionInput = { kind: 'api-call', host: 'host1', method: 'GET', path: '/version', unversioned: true };
    const byCLI = record({ apiCalls: [{ host: 'host1', method: 'GET', path: '/v1.41/version' }] });
    expect(await check(wanted, byCLI)).toEqual({ status: 'fails', reason: { code: 'no-hand-made-call', values: { host: 'host1', method: 'GET', path: '/version' } } });
    expect(await check(wanted, record({ apiCalls: [...byCLI.apiCalls, { host: 'host1', method: 'GET', path: '/version' }] }))).toEqual({ status: 'holds' });
    expect((await check(wanted, record({ apiCalls: [{ host: 'host2', method: 'GET', path: '/version' }] }))).status).toBe('fails');
  });

  it('a failed command is what `failed: true` asks for: one that succeeded does not hold it', async () => {
    const mistake: ConditionInput = { kind: 'command', host: 'host1', command: '(?!.*--tls)docker\\s.*tcp://host2:2376.*', example: 'docker -H tcp://host2:2376 ps', failed: true };
    expect(await check(mistake, record({ commands: [{ host: 'host1', command: 'docker -H tcp://host2:2376 ps', exitCode: 1 }] }))).toEqual({ status: 'holds' });
    expect((await check(mistake, record({ commands: [{ host: 'host1', command: 'docker -H tcp://host2:2376 ps', exitCode: 0 }] }))).status).toBe('fails');
    expect((await check(mistake, record({ commands: [{ host: 'host1', command: 'docker -H tcp://host2:2376 --tlsverify ps', exitCode: 1 }] }))).status).toBe('fails');
  });

  it('a removed container is told by its name', async () => {
    const destroyed: DockerFact = { kind: 'container', host: 'host2', action: 'destroy', container: 'c9', name: 'do-host2', image: 'busybox' };
    expect(await check({ kind: 'container-removed', host: 'host2', name: 'do-host2' }, record({ facts: [destroyed] }))).toEqual({ status: 'holds' });
    expect(await check({ kind: 'container-removed', host: 'host2', name: 'la' }, record({ facts: [destroyed] }))).toMatchObject({ reason: { code: 'not-removed', values: { name: 'la' } } });
    expect((await check({ kind: 'container-removed', host: 'host2', name: 'do-host2' }, record({ facts: [{ ...destroyed, action: 'die', exitCode: 137 }] }))).status).toBe('fails');
  });

  it('a volume mounted by a container, and how that container ended', async () => {
    const wanted: ConditionInput = { kind: 'volume-mounted', host: 'host1', volume: 'dados', exitCode: 0 };
    const mounted: DockerFact = { kind: 'volume', host: 'host1', action: 'mount', volume: 'dados', container: 'w1' };
    const died = (container: string, exitCode: number): DockerFact => ({ kind: 'container', host: 'host1', action: 'die', container, name: container, image: 'busybox', exitCode });
    expect(await check(wanted)).toMatchObject({ reason: { code: 'volume-not-mounted', values: { volume: 'dados' } } });
    expect(await check(wanted, record({ facts: [mounted] }))).toMatchObject({ reason: { code: 'volume-container-running' } });
    expect(await check(wanted, record({ facts: [mounted, died('w1', 1)] }))).toMatchObject({ reason: { code: 'volume-container-failed', values: { expected: '0', seen: '1' } } });
    // Another container's success is not the volume's.
    expect((await check(wanted, record({ facts: [mounted, died('w1', 1), died('x', 0)] }))).status).toBe('fails');
    expect(await check(wanted, record({ facts: [mounted, died('w1', 0)] }))).toEqual({ status: 'holds' });
    expect(await check({ kind: 'volume-mounted', host: 'host1', volume: 'dados' }, record({ facts: [mounted] }))).toEqual({ status: 'holds' });
  });

  it('a daemon restarted by the agent, on its own host only', async () => {
    const restarted = record({ daemonRestarts: [{ host: 'host1' }] });
    expect(await check({ kind: 'daemon-restarted', host: 'host1' }, restarted)).toEqual({ status: 'holds' });
    expect(await check({ kind: 'daemon-restarted', host: 'host2' }, restarted)).toEqual({ status: 'fails', reason: { code: 'daemon-not-restarted', values: { host: 'host2' } } });
  });

  it('an exit is matched by its status', async () => {
    const died: DockerFact = { kind: 'container', host: 'host1', action: 'die', container: 'c1', name: 'banco', image: 'postgres', exitCode: 1 };
    expect(await check({ kind: 'exited', host: 'host1', image: 'postgres', exitCode: 1 }, record({ facts: [died] }))).toEqual({ status: 'holds' });
    expect((await check({ kind: 'exited', host: 'host1', image: 'postgres', exitCode: 0 }, record({ facts: [died] }))).status).toBe('fails');
    expect((await check({ kind: 'exited', host: 'host1', image: 'postgres' }, record({ facts: [{ ...died, exitCode: 0 }] }))).status).toBe('fails');
  });
});

describe('is it', () => {
  const wanted: ConditionInput = { kind: 'container-running', host: 'host1', image: 'postgres', publishes: { hostPort: 5433, containerPort: 5432 } };

  it('names the port seen and the port expected when the container publishes another', async () => {
    const state = { host1: { containers: [postgres('banco', true, [{ hostPort: 8080, containerPort: 5432 }])] } };
    expect(await check(wanted, empty, state)).toEqual({
      status: 'fails',
      reason: { code: 'port-not-published', values: { host: 'host1', name: 'banco', expected: '5433', seen: '8080→5432' } },
    });
    expect(await check(wanted, empty, { host1: { containers: [postgres('banco', true, [{ containerPort: 5432 }])] } })).toMatchObject({ reason: { code: 'no-port-published' } });
    expect(await check(wanted, empty, { host1: { containers: [postgres('banco', true, [{ hostPort: 5433, containerPort: 5432 }])] } })).toEqual({ status: 'holds' });
  });

  it('tells a stopped container from none', async () => {
    expect(await check(wanted)).toMatchObject({ status: 'fails', reason: { code: 'no-container' } });
    expect(await check(wanted, empty, { host1: { containers: [postgres('banco', false)] } })).toMatchObject({
      status: 'fails',
      reason: { code: 'container-stopped', values: { name: 'banco', status: 'Exited (1) 2 seconds ago' } },
    });
  });

  it('a registry, an image and a port, read from the state', async () => {
    const state = { host1: { images: ['docker.io/library/postgres:latest'], openPorts: [5433], registries: { '5000': { minhaimagem: ['1.0'] } } } };
    expect(await check({ kind: 'image-present', host: 'host1', image: 'postgres' }, empty, state)).toEqual({ status: 'holds' });
    expect(await check({ kind: 'port-open', host: 'host1', port: 5433 }, empty, state)).toEqual({ status: 'holds' });
    expect(await check({ kind: 'port-open', host: 'host1', port: 5434 }, empty, state)).toMatchObject({ reason: { code: 'port-closed' } });
    expect(await check({ kind: 'registry-has', host: 'host1', port: 5000, repository: 'minhaimagem', tag: '1.0' }, empty, state)).toEqual({ status: 'holds' });
    expect(await check({ kind: 'registry-has', host: 'host1', port: 5000, repository: 'minhaimagem', tag: '2.0' }, empty, state)).toMatchObject({ reason: { code: 'tag-missing' } });
  });

  it('networks and volumes by name, and a container by its name as well as its image', async () => {
    const state = { host1: { networks: ['bridge', 'host', 'none', 'rede-doca'], volumes: ['dados'], containers: [{ name: 'web', image: 'nginx', running: false, status: 'Exited (0) 3 seconds ago', ports: [] }, { name: 'sempre', image: 'nginx', running: true, status: 'Up 1 second', ports: [] }] } };
    expect(await check({ kind: 'network-present', host: 'host1', name: 'rede-doca' }, empty, state)).toEqual({ status: 'holds' });
    expect(await check({ kind: 'network-present', host: 'host1', name: 'rede' }, empty, state)).toEqual({ status: 'fails', reason: { code: 'network-missing', values: { host: 'host1', name: 'rede' } } });
    expect(await check({ kind: 'volume-present', host: 'host1', name: 'dados' }, empty, state)).toEqual({ status: 'holds' });
    expect(await check({ kind: 'volume-present', host: 'host1', name: 'dado' }, empty, state)).toMatchObject({ reason: { code: 'volume-missing' } });
    // A running nginx is not `web`: `web` itself is stopped.
    expect(await check({ kind: 'container-running', host: 'host1', image: 'nginx', name: 'web' }, empty, state)).toMatchObject({ reason: { code: 'container-stopped', values: { name: 'web', status: 'Exited (0) 3 seconds ago' } } });
    expect(await check({ kind: 'container-running', host: 'host1', image: 'nginx', name: 'sempre' }, empty, state)).toEqual({ status: 'holds' });
    expect(await check({ kind: 'container-running', host: 'host1', image: 'busybox', name: 'web' }, empty, state)).toMatchObject({ reason: { code: 'no-container-named', values: { name: 'web', image: 'busybox' } } });
  });

  it('a read that hangs or fails is "could not check", never passed, and does not hold the caller', async () => {
    const hanging: StateReader = { ...snapshotState({}), containers: () => new Promise(() => undefined) };
    const started = performance.now();
    expect(await evaluateCondition(condition(wanted), empty, hanging, 50)).toMatchObject({ status: 'unknown', reason: { code: 'could-not-check', values: { host: 'host1' } }, detail: 'no answer within 50 ms' });
    expect(performance.now() - started).toBeLessThan(2_000);
    const failing: StateReader = { ...snapshotState({}), images: () => Promise.reject(new Error('connection reset')) };
    expect(await evaluateCondition(condition({ kind: 'image-present', host: 'host1', image: 'postgres' }), empty, failing)).toMatchObject({ status: 'unknown', detail: 'connection reset' });
  });
});

describe('a step of the architecture lab', () => {
  const step = (id: string) => arquitetura.steps.find((s) => s.id === id)!;

  it('explains a postgres that stopped for want of a password with the lab\'s own reason, and a wrong port with the built-in one', async () => {
    const died: DockerFact = { kind: 'container', host: 'host1', action: 'die', container: 'c1', name: 'banco', image: 'postgres', exitCode: 1 };
    const stopped = { host1: { containers: [postgres('banco', false)] } };
    expect(await evaluateStep(step('run-postgres'), record({ facts: [died] }), snapshotState(stopped))).toEqual({ status: 'failed', reason: { code: 'postgres-sem-senha', values: {} } });
    // The earlier mistake is history: a running container on the wrong port is explained as such.
    const wrongPort = { host1: { containers: [postgres('banco', false), postgres('outro', true, [{ hostPort: 8080, containerPort: 5432 }])] } };
    expect(await evaluateStep(step('run-postgres'), record({ facts: [died] }), snapshotState(wrongPort))).toMatchObject({ status: 'failed', reason: { code: 'port-not-published' } });
  });

  it('passes every step on what the solution leaves, and none on a fresh session', async () => {
    const done = record({
      facts: [{ kind: 'pulled', host: 'host1', image: 'postgres:latest' }],
      apiCalls: [
        { host: 'host1', method: 'GET', path: '/v1.47/version' },
        { host: 'host2', method: 'GET', path: '/v1.47/containers/json' },
      ],
    });
    const state = snapshotState({ host1: { containers: [postgres('banco', true, [{ hostPort: 5433, containerPort: 5432 }])] } });
    for (const s of arquitetura.steps) expect(await evaluateStep(s, done, state), s.id).toEqual({ status: 'passed' });
    for (const s of arquitetura.steps) expect((await evaluateStep(s, empty, snapshotState({}))).status, s.id).toBe('failed');
  });
});

describe('the built-in reasons', () => {
  it('each names, in both languages, exactly the values it declares', async () => {
    const { builtInReasons, placeholdersOf } = await import('./reasons.ts');
    for (const [code, reason] of Object.entries(builtInReasons)) {
      expect(new Set(placeholdersOf(reason['pt-BR'])), `${code} pt-BR`).toEqual(new Set(reason.values));
      expect(new Set(placeholdersOf(reason.en)), `${code} en`).toEqual(new Set(reason.values));
    }
  });
});
