// The Engine event follower against a socket that sends what a hostile learner's "daemon" could:
// malformed and oversize lines, split characters, huge events, a socket that is not theirs.
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DockerEvent } from '../../protocol/events.ts';
import { LearnerSocketRefused, learnerSocket } from '../system/learner-socket.ts';
import { startFakeEngine, type FakeEngine } from '../test-support/fake-engine.ts';
import { followEngineEvents, maxEventLineBytes, recordedEventLimits, type EngineEventFollower } from './engine-events.ts';

const learnerUID = 64_201;
const neighbourUID = 64_202;
const t0 = 1_700_000_000_123_456_789n;

let dir: string;
const engines: FakeEngine[] = [];
const followers: EngineEventFollower[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doca-engine-events-'));
});
afterEach(async () => {
  followers.splice(0).forEach((follower) => follower.close());
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
  await rm(dir, { recursive: true, force: true });
});

async function engineAt(name: string, uid = learnerUID) {
  const engine = await startFakeEngine(join(dir, name), uid);
  engines.push(engine);
  return engine;
}

/** One event line as dockerd writes it, with timeNano's exact digits. */
function eventLine(timeNano: bigint, fields: { type?: string; action?: string; id?: string; attributes?: Record<string, string> } = {}): string {
  const body = JSON.stringify({
    Type: fields.type ?? 'volume',
    Action: fields.action ?? 'create',
    Actor: { ID: fields.id ?? 'data', Attributes: fields.attributes ?? { driver: 'local' } },
    scope: 'local',
    time: Number(timeNano / 1_000_000_000n),
  });
  return `${body.slice(0, -1)},"timeNano":${timeNano}}\n`;
}

function follow(engine: { path: string }, options: { uid?: number; afterNano?: bigint } = {}) {
  const events: Omit<DockerEvent, 'seq'>[] = [];
  const logged: Record<string, unknown>[] = [];
  let endedWith: (error: Error | undefined) => void = () => undefined;
  const ended = new Promise<Error | undefined>((resolve) => (endedWith = resolve));
  const follower = followEngineEvents({
    socket: learnerSocket(engine.path, options.uid ?? learnerUID),
    host: 'host1',
    afterNano: options.afterNano ?? 0n,
    onEvent: (event) => events.push(event),
    onEnd: (error) => endedWith(error),
    log: (event) => logged.push(event),
  });
  followers.push(follower);
  return { follower, events, logged, ended };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const pause = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('engine event follower', () => {
  it('records events after the given instant, with their exact time, from `since` on', async () => {
    const engine = await engineAt('docker.sock');
    const stream = engine.nextEventStream();
    const { follower, events } = follow(engine, { afterNano: t0 });
    expect((await stream).get('since')).toBe('1700000000.123456789');
    engine.write(eventLine(t0, { id: 'boundary' }) + eventLine(t0 + 1n, { id: 'a' }) + eventLine(t0 + 2n, { id: 'b', type: 'container', action: 'start', attributes: { name: 'web', image: 'nginx', 'org.doca.lab': 'x' } }));
    await until(() => events.length === 2, 'two events');
    expect(events.map((e) => e.id)).toEqual(['a', 'b']);
    expect(events[1]).toEqual({ host: 'host1', time: 1_700_000_000_123, type: 'container', action: 'start', id: 'b', attributes: { name: 'web', image: 'nginx' } });
    // One nanosecond apart, beyond a double's precision: only the digits themselves tell them apart.
    expect(follower.lastTimeNano).toBe(t0 + 2n);
  });

  it('skips malformed lines, counts and logs them, and goes on with the stream', async () => {
    const engine = await engineAt('docker.sock');
    const stream = engine.nextEventStream();
    const { follower, events, logged } = follow(engine);
    await stream;
    engine.write(eventLine(t0, { id: 'first' }));
    engine.write('this is not JSON\n{"Type":"container"\n');
    engine.write('{"Type":7,"Action":"start","Actor":{"ID":"x"},"timeNano":1}\n');
    engine.write('{"Type":"container","Action":"start","Actor":{"ID":"x","Attributes":{"exitCode":0}},"timeNano":1}\n');
    engine.write('[1,2,3]\nnull\n\n');
    engine.write(eventLine(t0 + 1n, { id: 'after' }));
    await until(() => events.length === 2, 'the event after the bad lines');
    expect(events.map((e) => e.id)).toEqual(['first', 'after']);
    expect(follower.dropped).toEqual({ oversize: 0, invalid: 6 });
    expect(logged.filter((e) => e.event === 'engine_events.line_dropped').map((e) => e.count)).toEqual([1, 2, 4]);
  });

  it('skips an oversize line without holding it, and records the events after it', async () => {
    const engine = await engineAt('docker.sock');
    const stream = engine.nextEventStream();
    const { follower, events, logged } = follow(engine);
    await stream;
    engine.write(eventLine(t0, { id: 'before' }));
    // 3 MiB without a newline, in 64 KiB chunks, then the rest of that line and a good event.
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let sent = 0; sent < 3 * maxEventLineBytes; sent += chunk.length) engine.write(chunk);
    engine.write(`"}\n${eventLine(t0 + 1n, { id: 'after' })}`);
    await until(() => events.length === 2, 'the event after the oversize line');
    expect(events.map((e) => e.id)).toEqual(['before', 'after']);
    expect(follower.dropped).toEqual({ oversize: 1, invalid: 0 });
    expect(logged).toContainEqual(expect.objectContaining({ event: 'engine_events.line_dropped', reason: 'oversize' }));
  });

  it('joins a line and a character split across chunks', async () => {
    const engine = await engineAt('docker.sock');
    const stream = engine.nextEventStream();
    const { events } = follow(engine);
    await stream;
    const line = Buffer.from(eventLine(t0, { type: 'container', action: 'create', attributes: { name: 'café-☕' } }));
    const cut = line.indexOf(Buffer.from('é')) + 1; // inside the two bytes of é
    engine.write(line.subarray(0, cut));
    await pause();
    engine.write(line.subarray(cut, cut + 4)); // …and inside the three bytes of ☕
    await pause();
    engine.write(line.subarray(cut + 4));
    await until(() => events.length === 1, 'the event');
    expect(events[0].attributes.name).toBe('café-☕');
  });

  it('takes the time from the top-level timeNano only', async () => {
    const engine = await engineAt('docker.sock');
    const stream = engine.nextEventStream();
    const { follower, events } = follow(engine);
    await stream;
    engine.write(`{"Extra":{"timeNano":99999999999999999999},"Type":"volume","Action":"create","Actor":{"ID":"v"},"timeNano":${t0}}\n`);
    await until(() => events.length === 1, 'the event');
    expect(follower.lastTimeNano).toBe(t0);
  });

  it('keeps a bounded record of an event made huge on purpose, with the attributes checks read', async () => {
    const engine = await engineAt('docker.sock');
    const stream = engine.nextEventStream();
    const { events } = follow(engine);
    await stream;
    const labels = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`label-${i}-${'k'.repeat(300)}`, 'v'.repeat(2_000)]));
    engine.write(eventLine(t0, { type: 'container', action: 'die', id: 'c'.repeat(5_000), attributes: { ...labels, name: 'web', image: 'nginx', exitCode: '3' } }));
    await until(() => events.length === 1, 'the event');
    const [event] = events;
    expect(Object.keys(event.attributes)).toHaveLength(recordedEventLimits.attributes);
    expect(event.attributes).toMatchObject({ name: 'web', image: 'nginx', exitCode: '3' });
    expect(event.id).toHaveLength(recordedEventLimits.fieldChars);
    for (const [key, value] of Object.entries(event.attributes)) {
      expect(key.length).toBeLessThanOrEqual(recordedEventLimits.attributeKeyChars);
      expect(value.length).toBeLessThanOrEqual(recordedEventLimits.attributeValueChars);
    }
    expect(JSON.stringify(event).length).toBeLessThan(48 * 1024);
  });

  it('ends when the daemon ends the stream, resuming from the last event seen', async () => {
    const engine = await engineAt('docker.sock');
    const stream = engine.nextEventStream();
    const { follower, ended } = follow(engine);
    await stream;
    engine.write(eventLine(t0 + 5n));
    await until(() => follower.lastTimeNano === t0 + 5n, 'the event');
    engine.endStreams();
    expect(await ended).toBeUndefined();
  });
});

describe('engine event follower refuses a socket that is not the learner’s', () => {
  it('refuses a symlink the learner planted at the socket path, to a neighbour’s socket', async () => {
    const neighbour = await engineAt('neighbour.sock', neighbourUID);
    const planted = join(dir, 'docker.sock');
    await symlink(neighbour.path, planted);
    const { events, ended } = follow({ path: planted });
    const error = await ended;
    expect(error).toBeInstanceOf(LearnerSocketRefused);
    expect((error as LearnerSocketRefused).reason).toBe('symlink');
    expect(neighbour.requests).toEqual([]);
    expect(events).toEqual([]);
  });

  it('refuses a socket owned by another uid', async () => {
    const foreign = await engineAt('docker.sock', neighbourUID);
    const { ended } = follow(foreign);
    expect(((await ended) as LearnerSocketRefused).reason).toBe('foreign_owner');
    expect(foreign.requests).toEqual([]);
  });

  it('refuses a root-owned socket', async () => {
    const rootOwned = await engineAt('docker.sock', 0);
    const { ended } = follow(rootOwned);
    expect(((await ended) as LearnerSocketRefused).reason).toBe('foreign_owner');
    expect(rootOwned.requests).toEqual([]);
  });
});
