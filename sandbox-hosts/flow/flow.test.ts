// The path of a command, drawn from what really happened in a real sandbox: the lesson's
// `docker run -p 5433:5432 postgres` (with the password postgres needs) typed in host1's terminal,
// and host1's client driving host2's daemon.
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandFlow, FlowEntry } from '../../protocol/flow.ts';
import { LiveSessions } from '../agent/live-sessions.ts';
import { sandboxSessions } from '../test-support/test-machine.ts';
import { typeCommand } from '../test-support/typed-commands.ts';

const live = new LiveSessions({ sessions: sandboxSessions, capacity: 4, log: () => undefined });
afterAll(() => live.close());

/** The entries as one line each, API versions left out, to compare with the lesson's steps. */
function outline(entries: readonly FlowEntry[]): string[] {
  return entries.map((entry) => {
    switch (entry.kind) {
      case 'command':
        return `${entry.host} client: ${entry.command}`;
      case 'request':
        return `${entry.host} ${entry.method} ${entry.path.replace(/^\/v[\d.]+/, '').replace(/\/containers\/[0-9a-f]{64}\//, '/containers/<id>/').replace(/\?.*$/, '')}`;
      case 'image-missing':
        return `${entry.host} no image ${entry.image}`;
      case 'pull':
      case 'push':
        return `${entry.host} ${entry.kind} ${entry.image} from ${entry.registry}`;
      case 'container':
        return `${entry.host} container ${entry.action}`;
      case 'port':
        return `${entry.host} port ${entry.hostPort}->${entry.containerPort}`;
      case 'logs':
        return `${entry.host} logs`;
      case 'result':
        return `${entry.host} result ${entry.exitCode}`;
    }
  });
}

async function settled(flows: () => readonly CommandFlow[], command: string, wanted: (lines: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const flow = flows().findLast((each) => each.command === command);
    const lines = flow ? outline(flow.entries) : [];
    if (wanted(lines)) return lines;
    if (Date.now() > deadline) throw new Error(`the flow of \`${command}\` is ${JSON.stringify(lines)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the path of a command', () => {
  it("docker run -p 5433:5432 postgres: the client asks, the daemon has no image, pulls it from Docker Hub, creates, publishes 5433, starts, and the client shows the id", async () => {
    const outcome = await live.create(1);
    if (!outcome.ok) throw new Error(outcome.message);
    const { session } = outcome.value;
    const command = 'docker run -d -p 5433:5432 -e POSTGRES_PASSWORD=doca postgres';
    expect(await typeCommand(session, 'host1', command)).toBe(0);
    const lines = await settled(() => session.flows.latest(), command, (seen) => seen.includes('host1 port 5433->5432') && seen.includes('host1 container start'));
    // The lesson's seven steps, in their order, as they happened.
    const order = [
      `host1 client: ${command}`,
      'host1 POST /containers/create',
      'host1 no image postgres:latest',
      'host1 POST /images/create',
      'host1 pull postgres:latest from docker.io',
      'host1 POST /containers/create',
      'host1 container create',
      'host1 port 5433->5432',
      'host1 container start',
      'host1 result 0',
    ];
    expect(lines.filter((line) => order.includes(line))).toEqual(order);
    expect(lines.filter((line) => line.startsWith('host1 port'))).toEqual(['host1 port 5433->5432']);
    // Nothing the agent itself asked (its checks, the ports read) shows as the client's.
    expect(lines.filter((line) => line.includes('/containers/json'))).toEqual([]);
    // Without -d the client attaches and shows the container's output.
    const attached = 'docker run --rm busybox echo from-the-container';
    expect(await typeCommand(session, 'host1', attached)).toBe(0);
    const attachedLines = await settled(() => session.flows.latest(), attached, (seen) => seen.includes('host1 logs') && seen.includes('host1 container destroy'));
    expect(attachedLines.indexOf('host1 logs')).toBeGreaterThan(attachedLines.indexOf('host1 container start'));
    expect(attachedLines).toContain('host1 pull busybox:latest from docker.io');
    await live.delete(session.id);
  });

  it("a client on host1 driving host2's daemon: the requests and the container are host2's", async () => {
    const outcome = await live.create(2);
    if (!outcome.ok) throw new Error(outcome.message);
    const { session } = outcome.value;
    const command = 'docker -H tcp://host2:2376 --tlsverify run -d busybox sleep 60';
    expect(await typeCommand(session, 'host1', command)).toBe(0);
    const lines = await settled(() => session.flows.latest(), command, (seen) => seen.includes('host2 container start'));
    expect(lines[0]).toBe(`host1 client: ${command}`);
    expect(lines).toContain('host2 POST /containers/create');
    expect(lines).toContain('host2 pull busybox:latest from docker.io');
    expect(lines.filter((line) => line.startsWith('host1 ') && !line.startsWith('host1 client') && !line.startsWith('host1 result'))).toEqual([]);
    await live.delete(session.id);
  });
});
