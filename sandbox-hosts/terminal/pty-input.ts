// How much keyboard input node-pty still holds for a shell. node-pty queues every write in the agent,
// without a bound, while the shell doesn't read (a `sleep`, a program in raw mode that ignores its
// input), and offers no public measure of that queue: this reads its private one (node-pty is pinned;
// the terminal tests fail if that queue moves).
import type { IPty } from 'node-pty';
import type { TerminalSocket } from './host-terminal.ts';

/**
 * The agent stops reading a terminal socket once the shell's unread input passes `high` (bytes) or
 * `maxWrites` (queued frames: many tiny ones cost more than their bytes), and reads again once it is
 * back below `low` and `resumeWrites`.
 */
export const inputFlowControl = {
  high: 256 * 1024,
  low: 64 * 1024,
  maxWrites: 1024,
  resumeWrites: 256,
  /** How often a held-back socket checks whether the shell has caught up. */
  checkEveryMs: 20,
} as const;

interface QueuedWrite {
  buffer: Buffer;
  offset: number;
}

/** Writes and bytes node-pty has queued for the shell and not yet written to the pty. */
export function pendingInput(pty: IPty): { writes: number; bytes: number } {
  const queue = (pty as unknown as { _writeStream?: { _writeQueue?: QueuedWrite[] } })._writeStream?._writeQueue ?? [];
  // Past maxWrites the answer is "too many" whatever the bytes; summing stays cheap.
  if (queue.length > inputFlowControl.maxWrites) return { writes: queue.length, bytes: Infinity };
  let bytes = 0;
  for (const write of queue) bytes += write.buffer.length - write.offset;
  return { writes: queue.length, bytes };
}

export function inputBacklogged(pty: IPty): boolean {
  const { writes, bytes } = pendingInput(pty);
  return writes > inputFlowControl.maxWrites || bytes > inputFlowControl.high;
}

export function inputCaughtUp(pty: IPty): boolean {
  const { writes, bytes } = pendingInput(pty);
  return writes < inputFlowControl.resumeWrites && bytes < inputFlowControl.low;
}

/** Input the shell doesn't read piles up in the agent: stop reading the socket until it catches up. */
export class InputHold {
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Runs each check so that an error in it stays with its terminal. */
  readonly #guard: (callback: () => void) => void;

  constructor(guard: (callback: () => void) => void) {
    this.#guard = guard;
  }

  /** After a write from `socket`: pauses it if the shell's input is backlogged, and resumes it once caught up (unless detached by then). */
  check(socket: TerminalSocket, ptyNow: () => IPty | undefined, stillAttached: () => boolean): void {
    const pty = ptyNow();
    if (this.#timer || !pty || !inputBacklogged(pty)) return;
    socket.pauseInput();
    this.#timer = setInterval(
      () =>
        this.#guard(() => {
          if (!stillAttached()) return this.stop();
          const current = ptyNow();
          if (current && !inputCaughtUp(current)) return;
          this.stop();
          socket.resumeInput();
        }),
      inputFlowControl.checkEveryMs,
    );
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
