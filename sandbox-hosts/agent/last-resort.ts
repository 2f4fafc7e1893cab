// What the agent does with an error nothing else caught, installed once by main.ts. Errors inside a
// session are handled where they happen (pty callbacks, the event follower, terminal timers); what
// reaches here is a bug, and the two kinds of it are not equally dangerous.
//
// - A rejected promise nobody awaited has already unwound through its own awaits and finally blocks:
//   no library was interrupted halfway through a callback. It is logged, and the agent goes on
//   serving every other learner.
// - An exception thrown out of a callback can leave the emitter (a stream, a WebSocket parser, a pty)
//   halfway through its work, in a state nobody planned for; a root process holding learners'
//   sandboxes does not run on like that. It is logged, then the agent stops the orderly way — each
//   learner's terminal is told the session ended, the sandboxes are removed — within a deadline, and
//   exits non-zero so that whatever supervises it starts it again.

export interface LastResortOptions {
  log: (event: Record<string, unknown>) => void;
  /** The agent's orderly stop: sessions ended (their learners told) and sandboxes removed. */
  shutdown: () => Promise<unknown>;
  /** The process exits after this long even if the shutdown hasn't finished. */
  shutdownDeadlineMs?: number;
}

/** The exit code after an uncaught exception (EX_SOFTWARE: an internal error). */
export const crashExitCode = 70;

export function installLastResort(options: LastResortOptions): void {
  let crashing = false;
  process.on('unhandledRejection', (reason) => options.log({ event: 'agent.unhandled_rejection', error: describe(reason) }));
  process.on('uncaughtException', (error, origin) => {
    options.log({ event: 'agent.crashed', origin, error: describe(error) });
    // A second one during the shutdown: the shutdown itself is not to be trusted any more.
    if (crashing) process.exit(crashExitCode);
    crashing = true;
    setTimeout(() => process.exit(crashExitCode), options.shutdownDeadlineMs ?? 30_000).unref();
    options
      .shutdown()
      .catch((failure: unknown) => options.log({ event: 'agent.cleanup_failed', error: describe(failure) }))
      .finally(() => process.exit(crashExitCode));
  });
}

function describe(value: unknown): string {
  return value instanceof Error ? (value.stack ?? value.message) : String(value);
}
