// Sessions as a learner lives them, through a real agent server: terminals over WebSocket, the
// daemon's events, a daemon the learner kills, time limits, idling and the warm pool.
import { describe, expect, it } from 'vitest';
import { apiErrorSchema, dockerEventPageSchema, dockerEventSchema, factOf, sessionSchema, terminalCloseCodes, type Session } from '../../protocol/index.ts';
import type { Outcome } from '../../protocol/outcome.ts';
import { useTestAgent } from '../test-support/test-agent.ts';
import { sandboxSessions, testConfig } from '../test-support/test-machine.ts';
import { LiveSessions } from './live-sessions.ts';

let now = Date.now();
const live = new LiveSessions({
  sessions: sandboxSessions,
  capacity: 4,
  clock: () => now,
  limits: { timeLimitMs: 3600_000, idleLimitMs: 600_000, extensionMs: 900_000 },
  log: () => undefined,
});
const agent = useTestAgent(live);
const { call, newSession, terminal } = agent;

/** The session a create made, or the test fails with the refusal. */
function created<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`expected a session, got ${outcome.code}: ${outcome.message}`);
  return outcome.value;
}

async function events(session: Session, after = 0) {
  return dockerEventPageSchema.parse(await (await call('GET', `/sessions/${session.id}/events?after=${after}`)).json());
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('terminal of a sandbox host', () => {
  it('runs hello-world typed by the learner and shows its message', async () => {
    const session = await newSession();
    const shell = await terminal(session);
    await shell.waitFor('host1');
    shell.type('docker run --rm hello-world\r');
    await shell.waitFor('Hello from Docker!');
    await shell.waitFor('Olá do Docker!');
    await call('DELETE', `/sessions/${session.id}`);
  });

  it('keeps the same shell across a reconnect and replays what was on screen', async () => {
    const session = await newSession();
    const first = await terminal(session);
    first.type('cd /tmp && export MARK=kept-$((6*7)) && echo $MARK\r');
    await first.waitFor('kept-42');
    const second = await terminal(session);
    expect((await first.closed).code).toBe(terminalCloseCodes.replaced);
    expect(second.text).toContain('kept-42');
    second.type('echo "$MARK in $(pwd)"\r');
    await second.waitFor('kept-42 in /tmp');
    await call('DELETE', `/sessions/${session.id}`);
  });

  it('gives each host of a session its own shell, named in the prompt', async () => {
    const session = await newSession(2);
    const one = await terminal(session, 'host1');
    const two = await terminal(session, 'host2');
    two.type('docker -H tcp://host1:2376 --tlsverify run --rm --name from-host2 busybox echo ran-$((1+1)); hostname -I\r');
    await two.waitFor('ran-2');
    await two.waitFor(session.hosts[1].address);
    one.type('docker ps -a --format "{{.Names}}"; echo listed-$((5+5))\r');
    await one.waitFor('listed-10');
    expect(one.text).toMatch(/host1.*\$ /);
    expect(two.text).toMatch(/host2.*\$ /);
    await call('DELETE', `/sessions/${session.id}`);
  });

  it('refuses a terminal without a token, for an unknown host, or for a session that ended', async () => {
    const session = await newSession();
    await expect(terminal(session, 'host1', null)).rejects.toMatchObject({ status: 401 });
    await expect(terminal(session, 'host9')).rejects.toMatchObject({ status: 404 });
    const open = await terminal(session);
    await call('DELETE', `/sessions/${session.id}`);
    expect((await open.closed).code).toBe(terminalCloseCodes.sessionEnded);
    expect(open.messages.at(-1)).toMatchObject({ type: 'error', code: 'session_ended' });
    await expect(terminal(session)).rejects.toMatchObject({ status: 404 });
  });

  it("learner A cannot read or write learner B's terminal device", async () => {
    const [a, b] = [await newSession(), await newSession()];
    const [shellA, shellB] = [await terminal(a), await terminal(b)];
    await shellB.waitFor('host1');
    shellA.type('for t in /dev/pts/[0-9]*; do [ "$t" = "$(tty)" ] && continue; echo INJECTED > $t 2>/dev/null && echo wrote-$t; timeout 1 cat $t >/dev/null 2>&1 && echo read-$t; done; echo tried-$((1+1))-all\r');
    await shellA.waitFor('tried-2-all');
    expect(shellA.text).not.toMatch(/wrote-\/dev|read-\/dev/);
    shellB.type('echo b-alive\r');
    await shellB.waitFor('b-alive');
    expect(shellB.text).not.toContain('INJECTED');
    await call('DELETE', `/sessions/${a.id}`);
    await call('DELETE', `/sessions/${b.id}`);
  });

  it("learner's shell cannot reach the agent that serves it", async () => {
    const session = await newSession();
    const shell = await terminal(session);
    const port = new URL(agent.url).port;
    shell.type(`for a in ${testConfig.DOCA_BRIDGE_ADDRESS} 127.0.0.1; do curl -sS -m 3 -o /dev/null http://$a:${port}/health && echo reached-$a || echo refused-$a; done\r`);
    await shell.waitFor(`refused-127.0.0.1`);
    expect(shell.text).toContain(`refused-${testConfig.DOCA_BRIDGE_ADDRESS}`);
    expect(shell.text).not.toMatch(/reached-\d/);
    await call('DELETE', `/sessions/${session.id}`);
  });
});

describe('port preview', () => {
  it("serves a port the learner published on a host, and says so when nothing answers", async () => {
    const session = await newSession();
    const shell = await terminal(session);
    shell.type('docker run -d -p 8080:80 nginx >/dev/null && echo started-$((3*3))\r');
    await shell.waitFor('started-9');
    const page = await eventually(async () => {
      const response = await call('GET', `/sessions/${session.id}/hosts/host1/ports/8080/`);
      return response.status === 200 ? response.text() : undefined;
    }, 'nginx to answer');
    expect(page).toContain('Welcome to nginx!');
    const closed = await call('GET', `/sessions/${session.id}/hosts/host1/ports/9999/`);
    expect(closed.status).toBe(502);
    expect(apiErrorSchema.parse(await closed.json()).error.code).toBe('port_not_open');
    expect((await call('GET', `/sessions/${session.id}/hosts/host7/ports/8080/`)).status).toBe(404);
    await call('DELETE', `/sessions/${session.id}`);
  });
});

describe("a session's Docker events", () => {
  it("records what the learner's commands did, from the daemon's own events", async () => {
    const session = await newSession();
    const shell = await terminal(session);
    shell.type('docker pull busybox && docker network create rede && docker volume create dados && docker run --name um --network rede -v dados:/d busybox sh -c "exit 3"; docker tag busybox minhaimagem:1.0; echo done-$((2+2))\r');
    await shell.waitFor('done-4');
    const facts = await eventually(async () => {
      const found = (await events(session)).events.map(factOf).filter((fact) => fact !== undefined);
      return found.some((fact) => fact.kind === 'tagged') ? found : undefined;
    }, 'the tag event');
    expect(facts).toEqual(
      expect.arrayContaining([
        { kind: 'pulled', host: 'host1', image: 'busybox:latest' },
        { kind: 'network', host: 'host1', action: 'create', network: 'rede' },
        { kind: 'volume', host: 'host1', action: 'create', volume: 'dados' },
        expect.objectContaining({ kind: 'container', action: 'start', name: 'um', image: 'busybox' }),
        expect.objectContaining({ kind: 'container', action: 'die', name: 'um', exitCode: 3 }),
        expect.objectContaining({ kind: 'tagged', image: 'minhaimagem:1.0' }),
      ]),
    );
    const page = await events(session);
    expect(page.events.map((event) => event.seq)).toEqual(page.events.map((_, index) => index + 1));
    const tail = await events(session, page.last - 2);
    expect(tail.events.map((event) => event.seq)).toEqual([page.last - 1, page.last]);
    await call('DELETE', `/sessions/${session.id}`);
  });

  it('streams recorded events, then live ones, as server-sent events', async () => {
    const session = await newSession();
    const response = await call('GET', `/sessions/${session.id}/events/stream`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const shell = await terminal(session);
    shell.type('docker volume create streamed-volume\r');
    let received = '';
    while (!received.includes('streamed-volume')) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value;
    }
    const data = received.split('\n').filter((line) => line.startsWith('data: ')).map((line) => dockerEventSchema.parse(JSON.parse(line.slice(6))));
    expect(data.some((event) => event.type === 'volume' && event.action === 'create' && event.id === 'streamed-volume')).toBe(true);
    expect(received).toMatch(/^event: docker$/m);
    await call('DELETE', `/sessions/${session.id}`);
    // The stream ends with the session.
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read());
  });

  it('answers a malformed `after` with 400 bad_request', async () => {
    const session = await newSession();
    const response = await call('GET', `/sessions/${session.id}/events?after=-1`);
    expect(response.status).toBe(400);
    expect(apiErrorSchema.parse(await response.json()).error.code).toBe('bad_request');
    await call('DELETE', `/sessions/${session.id}`);
  });
});

describe('a learner who kills their own daemon', () => {
  it('gets it restarted, told so in the terminal, and keeps working', async () => {
    const session = await newSession();
    const shell = await terminal(session);
    shell.type('docker volume create before-kill && pkill -KILL -x dockerd; echo killed-$((2+2))\r');
    await shell.waitFor('killed-4');
    await shell.waitForMessage((m) => m.type === 'daemon' && m.state === 'restarting');
    await shell.waitForMessage((m) => m.type === 'daemon' && m.state === 'running', 60_000);
    await shell.waitFor('dockerd is back');
    expect(shell.text).toContain('O daemon Docker (dockerd) deste host parou');
    shell.type('echo volumes-$(docker volume ls -q | grep -c before-kill); docker volume create after-restart\r');
    await shell.waitFor('volumes-1'); // the daemon came back with the learner's data
    // Events keep being recorded after the restart.
    await eventually(async () => ((await events(session)).events.some((event) => event.id === 'after-restart') ? true : undefined), 'events after the restart');
    await call('DELETE', `/sessions/${session.id}`);
  });
});

describe('a learner who keeps killing their daemon', () => {
  it('gets three restarts, then a clear message instead of a restart loop', async () => {
    const session = await newSession();
    const shell = await terminal(session);
    const states = () => shell.messages.flatMap((m) => (m.type === 'daemon' ? [m.state] : []));
    for (let kill = 1; kill <= 4; kill++) {
      shell.type(`until docker info >/dev/null 2>&1; do sleep 0.1; done; pkill -KILL -x dockerd; echo kill-$((${kill}*100))\r`);
      await shell.waitFor(`kill-${kill * 100}`);
      await shell.waitForMessage(() => states().length >= (kill <= 3 ? kill * 2 : 7), 60_000);
    }
    expect(states()).toEqual(['restarting', 'running', 'restarting', 'running', 'restarting', 'running', 'failed']);
    await shell.waitFor('will not be restarted');
    await call('DELETE', `/sessions/${session.id}`);
  });
});

describe('session lifecycle', () => {
  it('extends the time limit, never beyond one full limit from now', async () => {
    const session = await newSession();
    const extended = sessionSchema.parse(await (await call('POST', `/sessions/${session.id}/extend`, { seconds: 600 })).json());
    expect(Date.parse(extended.expiresAt)).toBe(Math.min(Date.parse(session.expiresAt) + 600_000, now + 3600_000));
    now += 1800_000;
    const again = sessionSchema.parse(await (await call('POST', `/sessions/${session.id}/extend`)).json());
    expect(Date.parse(again.expiresAt)).toBe(Math.min(Date.parse(extended.expiresAt) + 900_000, now + 3600_000));
    const bad = await call('POST', `/sessions/${session.id}/extend`, { seconds: 'forever' });
    expect(bad.status).toBe(400);
    expect(apiErrorSchema.parse(await bad.json()).error.code).toBe('invalid_body');
    await call('DELETE', `/sessions/${session.id}`);
  });

  it('ends a session at its time limit and one left idle, and tells the open terminal', async () => {
    const expiring = await newSession();
    const idle = await newSession();
    const expiringShell = await terminal(expiring);
    const idleShell = await terminal(idle);
    idleShell.type('echo idle-typed\r');
    await idleShell.waitFor('idle-typed');
    const typedAt = now;
    now += 500_000;
    expiringShell.type('echo expiring-typed\r'); // typing doesn't stop the time limit
    await expiringShell.waitFor('expiring-typed');
    expect(await live.reap()).toEqual([]);
    now = typedAt + 600_000; // idle limit since the idle session's last keystroke
    expect(await live.reap()).toEqual([idle.id]);
    expect(idleShell.messages.at(-1)).toMatchObject({ type: 'error', code: 'session_ended', message: expect.stringContaining('idle') });
    now = Date.parse(expiring.expiresAt);
    expect(await live.reap()).toEqual([expiring.id]);
    expect((await expiringShell.closed).code).toBe(terminalCloseCodes.sessionEnded);
    expect(expiringShell.messages.at(-1)).toMatchObject({ type: 'error', code: 'session_ended', message: expect.stringContaining('time limit') });
    expect((await call('GET', `/sessions/${idle.id}`)).status).toBe(404);
    expect(await sandboxSessions.hosts.ids()).toEqual([]);
  });
});

describe('warm pool', () => {
  it('hands out a pre-started session at once, refills, and gives way to a learner when full', async () => {
    const pool = new LiveSessions({ sessions: sandboxSessions, capacity: 3, warmPool: { 1: 1 }, log: () => undefined });
    try {
      await pool.refillWarmPool();
      expect([pool.warmHosts, pool.usedHosts]).toEqual([1, 1]);
      const warmID = (await sandboxSessions.hosts.list()).map((host) => host.id);

      const first = created(await pool.create(1));
      expect(first.warm).toBe(true);
      expect(first.session.record.hosts.map((host) => host.id)).toEqual(warmID);
      await pool.refillWarmPool();
      expect([pool.warmHosts, pool.usedHosts]).toEqual([1, 2]);

      // Two more hosts don't fit next to the warm one: the warm session is removed for the learner.
      const second = created(await pool.create(2));
      expect(second.warm).toBe(false);
      expect([pool.warmHosts, pool.usedHosts]).toEqual([0, 3]);
      expect(await pool.create(1)).toMatchObject({ ok: false, code: 'capacity_exhausted' });
    } finally {
      await pool.close();
    }
    expect(await sandboxSessions.hosts.ids()).toEqual([]);
  });
});
