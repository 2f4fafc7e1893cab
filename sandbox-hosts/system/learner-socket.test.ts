// The root agent reaching a learner's daemon socket: only a socket, not a planted link, owned by that
// learner; and what comes back is bounded. Runs as root (sockets are given to other uids).
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeEngine, type FakeEngine } from '../test-support/fake-engine.ts';
import { engineRequest, engineStatus, LearnerSocketRefused, learnerSocket, maxEngineAnswerBytes, pingEngine, waitForEngine } from './docker-engine.ts';
import { connectLearnerSocket } from './learner-socket.ts';

const learnerUID = 64_301;
const neighbourUID = 64_302;

let dir: string;
const engines: FakeEngine[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doca-learner-socket-'));
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
  await rm(dir, { recursive: true, force: true });
});

async function engineAt(name: string, uid: number) {
  const engine = await startFakeEngine(join(dir, name), uid);
  engines.push(engine);
  return engine;
}

async function refusal(path: string, uid = learnerUID) {
  const error = await connectLearnerSocket(learnerSocket(path, uid)).then(
    (socket) => {
      socket.destroy();
      return undefined;
    },
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(LearnerSocketRefused);
  return (error as LearnerSocketRefused).reason;
}

describe("the agent reaches a learner's own socket", () => {
  it('answers through a socket the learner owns', async () => {
    const engine = await engineAt('docker.sock', learnerUID);
    expect(await pingEngine(learnerSocket(engine.path, learnerUID))).toBe(true);
    expect(await waitForEngine(learnerSocket(engine.path, learnerUID), 1_000)).toBe(true);
    expect(await engineStatus(learnerSocket(engine.path, learnerUID))).toBe('answering');
    expect(engine.requests).toEqual(['GET /v1.24/_ping', 'GET /v1.24/_ping', 'GET /v1.24/_ping']);
    expect(await engineStatus(learnerSocket(join(dir, 'nothing-here.sock'), learnerUID))).toBe('silent');
  });

  it('gives up on an answer larger than it reads', async () => {
    const engine = await engineAt('docker.sock', learnerUID);
    engine.pingBody = Buffer.alloc(maxEngineAnswerBytes + 1, 'x');
    await expect(engineRequest(learnerSocket(engine.path, learnerUID), 'GET', '/_ping')).rejects.toThrow(/more than/);
    expect(await pingEngine(learnerSocket(engine.path, learnerUID))).toBe(false);
  });
});

describe("learner A cannot make the agent reach learner B's socket", () => {
  it('refuses a symlink planted at the socket path, and never touches its target', async () => {
    const neighbour = await engineAt('neighbour.sock', neighbourUID);
    const planted = join(dir, 'docker.sock');
    await symlink(neighbour.path, planted);
    expect(await refusal(planted)).toBe('symlink');
    expect(await pingEngine(learnerSocket(planted, learnerUID))).toBe(false);
    expect(await engineStatus(learnerSocket(planted, learnerUID))).toBe('symlink');
    expect(neighbour.requests).toEqual([]);
  });

  it('refuses a symlink even to a socket of the same learner (links are never followed)', async () => {
    const own = await engineAt('real.sock', learnerUID);
    const planted = join(dir, 'docker.sock');
    await symlink(own.path, planted);
    expect(await refusal(planted)).toBe('symlink');
  });

  it('refuses a socket owned by another uid, and one owned by root', async () => {
    const neighbour = await engineAt('neighbour.sock', neighbourUID);
    expect(await refusal(neighbour.path)).toBe('foreign_owner');
    const rootOwned = await engineAt('root.sock', 0);
    expect(await refusal(rootOwned.path)).toBe('foreign_owner');
    expect(await pingEngine(learnerSocket(neighbour.path, learnerUID))).toBe(false);
    expect([...neighbour.requests, ...rootOwned.requests]).toEqual([]);
  });

  it('refuses what is not a socket: a file, a FIFO', async () => {
    const file = join(dir, 'file.sock');
    await writeFile(file, '');
    execFileSync('chown', [`${learnerUID}`, file]);
    expect(await refusal(file)).toBe('not_a_socket');
    const fifo = join(dir, 'fifo.sock');
    execFileSync('mkfifo', [fifo]);
    execFileSync('chown', [`${learnerUID}`, fifo]);
    expect(await refusal(fifo)).toBe('not_a_socket');
  });

  it('never takes root for a learner', () => {
    expect(() => learnerSocket('/run/user/0/docker.sock', 0)).toThrow(RangeError);
  });
});
