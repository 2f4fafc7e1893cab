import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockStateDir } from './state-lock.ts';

describe('the image state folder lock', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp('/tmp/doca-state-lock-');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('makes a second run wait, saying why, until the first releases it', async () => {
    const releaseFirst = await lockStateDir(dir, () => undefined);
    const waits: string[] = [];
    let secondHolds = false;
    const second = lockStateDir(dir, (reason) => waits.push(reason)).then((release) => ((secondHolds = true), release));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(secondHolds).toBe(false);
    expect(waits).toEqual([`another image build (pid ${process.pid}) is using ${dir}`]);
    await releaseFirst();
    const releaseSecond = await second;
    expect(await readFile(join(dir, 'build.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await releaseSecond();
  });

  it('takes over a lock left by a run that no longer exists', async () => {
    await writeFile(join(dir, 'build.lock'), '999999999\n');
    const waits: string[] = [];
    const release = await lockStateDir(dir, (reason) => waits.push(reason));
    expect(waits).toEqual([]);
    await release();
  });

  it('stops waiting when aborted', async () => {
    const release = await lockStateDir(dir, () => undefined);
    const waiting = lockStateDir(dir, () => undefined, AbortSignal.timeout(300));
    await expect(waiting).rejects.toThrow(/aborted|timeout/i);
    await release();
  });
});
