// An exclusive lock on a file, shared by every process on the machine, that waits for its holder and
// is released by the kernel when the holding process dies, however it dies.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface FileLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** Called once when another process holds the lock and this one starts waiting. */
  onWait?: () => void;
  /** Aborting stops waiting; the lock is not taken. */
  signal?: AbortSignal;
}

/**
 * Takes `flock(2)` on `file` (created if missing) through util-linux's `flock`, which holds it for as long
 * as its stdin stays open: when this process ends, even by SIGKILL, the pipe closes and the lock goes with it.
 */
export async function lockFile(file: string, options: LockOptions = {}): Promise<FileLock> {
  options.signal?.throwIfAborted();
  const held = await hold(file, true, options.signal);
  if (held) return held;
  options.onWait?.();
  const waited = await hold(file, false, options.signal);
  if (!waited) throw new Error(`Could not lock ${file}`);
  return waited;
}

async function hold(file: string, nonBlocking: boolean, signal?: AbortSignal): Promise<FileLock | undefined> {
  const args = ['--exclusive', ...(nonBlocking ? ['--nonblock'] : []), file, 'sh', '-c', 'echo locked; exec cat >/dev/null'];
  const child = spawn('flock', args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit').then(() => undefined);
  const abort = () => child.kill('SIGKILL');
  signal?.addEventListener('abort', abort, { once: true });
  const locked = new Promise<boolean>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (text.includes('locked')) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
  try {
    if (!(await locked)) {
      signal?.throwIfAborted();
      return undefined;
    }
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  return {
    release: async () => {
      child.stdin.end();
      await exited;
    },
  };
}
