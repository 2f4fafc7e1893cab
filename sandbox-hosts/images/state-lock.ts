// One image build per state folder at a time, across processes: the lock is a file holding the pid of the run
// that holds it.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../system/shell.ts';

/**
 * One run per state directory at a time: two would share the builder daemon and its pidfile. A run that finds
 * another one holding it waits for it to finish; a lock left by a run that was killed is taken over.
 */
export async function lockStateDir(stateDir: string, onWait: (reason: string) => void, signal?: AbortSignal): Promise<() => Promise<void>> {
  const lockFile = join(stateDir, 'build.lock');
  let waiting = false;
  let emptySince: number | undefined;
  for (;;) {
    try {
      await writeFile(lockFile, `${process.pid}\n`, { flag: 'wx' });
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = (await readFile(lockFile, 'utf8').catch(() => '')).trim();
    // An empty file is one another run has just created and not yet written its pid to, unless it stays empty.
    emptySince = text === '' ? (emptySince ?? Date.now()) : undefined;
    const stale = emptySince !== undefined ? Date.now() - emptySince > 5_000 : !isAlive(Number(text));
    if (stale) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (!waiting && text !== '') {
      onWait(`another image build (pid ${text}) is using ${stateDir}`);
      waiting = true;
    }
    await sleep(250, undefined, { signal });
  }
}
