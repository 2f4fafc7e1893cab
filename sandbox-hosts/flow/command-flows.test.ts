// How calls and events are given to the command whose run covers them, without a daemon: the
// attribution rules, the bounds, and the order the lesson draws.
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandFlow } from '../../protocol/flow.ts';
import { maxFlowEntries } from '../../protocol/flow.ts';
import { CommandFlows } from './command-flows.ts';

let clock = 1_000_000;
const flowsMade: CommandFlows[] = [];
let startedContainers: { flow: CommandFlow; host: string; name: string }[] = [];
function flows(onChange: (flow: CommandFlow) => void = () => undefined) {
  const made = new CommandFlows({ onChange, now: () => clock, onContainerStarted: (flow, host, name) => startedContainers.push({ flow, host, name }) });
  flowsMade.push(made);
  return made;
}
afterEach(() => {
  flowsMade.splice(0).forEach((made) => made.close());
  startedContainers = [];
});

const kinds = (flow: CommandFlow | undefined) => flow?.entries.map((entry) => (entry.kind === 'request' ? `${entry.method} ${entry.path}` : entry.kind === 'container' ? `container ${entry.action}` : entry.kind));

describe('command flows', () => {
  it('draws a run whose image is missing in the lesson order, the port before the start', () => {
    const made = flows();
    made.started('host1', 'docker run -d -p 5433:5432 postgres');
    made.request('host1', 'POST', '/v1.41/containers/create', clock + 5);
    made.request('host1', 'POST', '/v1.41/images/create?fromImage=postgres&tag=latest', clock + 6);
    made.fact({ kind: 'pulled', host: 'host1', image: 'postgres:latest' }, clock + 50);
    made.request('host1', 'POST', '/v1.41/containers/create', clock + 51);
    made.fact({ kind: 'container', host: 'host1', action: 'create', container: 'c1', name: 'banco', image: 'postgres' }, clock + 52);
    made.request('host1', 'POST', '/v1.41/containers/c1/start', clock + 53);
    made.fact({ kind: 'container', host: 'host1', action: 'start', container: 'c1', name: 'banco', image: 'postgres' }, clock + 60);
    const [started] = startedContainers;
    expect(started).toMatchObject({ host: 'host1', name: 'banco' });
    clock += 70;
    made.finished('host1', 0);
    made.ports(started.flow, 'host1', 'banco', [{ hostPort: 5433, containerPort: 5432 }]);
    const [flow] = made.latest();
    expect(kinds(flow)).toEqual([
      'command',
      'POST /v1.41/containers/create',
      'image-missing',
      'POST /v1.41/images/create?fromImage=postgres&tag=latest',
      'pull',
      'POST /v1.41/containers/create',
      'container create',
      'POST /v1.41/containers/c1/start',
      'port',
      'container start',
      'result',
    ]);
    expect(flow.entries[2]).toEqual({ kind: 'image-missing', host: 'host1', image: 'postgres:latest' });
    expect(flow.entries[4]).toEqual({ kind: 'pull', host: 'host1', registry: 'docker.io', image: 'postgres:latest' });
    expect(flow.exitCode).toBe(0);
  });

  it('keeps the result last when the daemon\'s events arrive after the client exited, and stops taking them a second later', () => {
    const made = flows();
    made.started('host1', 'docker push localhost:5000/minhaimagem:1.0');
    clock += 100;
    made.finished('host1', 0);
    made.fact({ kind: 'pushed', host: 'host1', image: 'localhost:5000/minhaimagem:1.0' }, clock - 10);
    made.fact({ kind: 'pushed', host: 'host1', image: 'late/one:1' }, clock + 5_000);
    expect(kinds(made.latest()[0])).toEqual(['command', 'push', 'result']);
    expect(made.latest()[0].entries[1]).toMatchObject({ registry: 'localhost:5000' });
  });

  it("gives another host's calls to the command typed elsewhere, and calls outside any command to none", () => {
    const made = flows();
    made.request('host2', 'GET', '/v1.41/containers/json', clock - 5_000);
    made.started('host1', 'docker -H tcp://host2:2376 --tlsverify ps');
    made.request('host2', 'GET', '/v1.41/containers/json', clock + 3);
    clock += 10;
    made.finished('host1', 0);
    expect(made.latest()).toHaveLength(1);
    expect(made.latest()[0].entries.map((entry) => `${entry.host} ${entry.kind}`)).toEqual(['host1 command', 'host2 request', 'host1 result']);
  });

  it("takes the calls and events that arrive before the shell's start mark, up to a second old, in their order", () => {
    const made = flows();
    made.request('host1', 'POST', '/v1.41/containers/create', clock - 5_000); // long before: another story
    clock += 5_000;
    made.request('host1', 'HEAD', '/_ping', clock - 20);
    made.request('host1', 'POST', '/v1.41/containers/create', clock - 10);
    made.request('host1', 'POST', '/v1.41/images/create?fromImage=postgres&tag=latest', clock - 5);
    made.fact({ kind: 'pulled', host: 'host1', image: 'postgres:latest' }, clock - 1);
    made.started('host1', 'docker run -d postgres');
    expect(kinds(made.latest()[0])).toEqual(['command', 'HEAD /_ping', 'POST /v1.41/containers/create', 'image-missing', 'POST /v1.41/images/create?fromImage=postgres&tag=latest', 'pull']);
    // Given once: a later command does not take them again.
    made.started('host2', 'docker ps');
    expect(kinds(made.latest()[1])).toEqual(['command']);
  });

  it('an Enter with no command ends nothing; a shell that starts again ends the command it left', () => {
    const made = flows();
    expect(made.finished('host1', 0)).toBeUndefined();
    made.started('host1', 'sleep 100');
    made.started('host1', 'docker ps');
    clock += 5;
    expect(made.finished('host1', 0)?.command).toBe('docker ps');
    expect(made.latest().map((flow) => flow.command)).toEqual(['sleep 100', 'docker ps']);
  });

  it('keeps the last five commands and at most 60 entries of one, counting the rest', () => {
    const made = flows();
    for (let index = 0; index < 7; index++) made.started('host1', `docker ps # ${index}`);
    expect(made.latest().map((flow) => flow.command.slice(-1))).toEqual(['2', '3', '4', '5', '6']);
    for (let index = 0; index < 100; index++) made.request('host1', 'GET', '/_ping', clock + 1);
    const last = made.latest().at(-1)!;
    expect(last.entries).toHaveLength(maxFlowEntries);
    expect(last.dropped).toBe(41);
  });

  it('sends a changed flow once per burst, not once per entry', async () => {
    const sent: number[] = [];
    const made = flows((flow) => sent.push(flow.entries.length));
    made.started('host1', 'docker version');
    made.request('host1', 'HEAD', '/_ping', clock);
    made.request('host1', 'GET', '/v1.41/version', clock + 1);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(sent).toEqual([3]);
  });
});
