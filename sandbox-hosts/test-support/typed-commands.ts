// Types commands into a session's terminals as a learner does: through the host's pty, so the shell's
// hook marks them and the lab's checks and the command flow see them exactly as in the browser.
import type { LiveSession } from '../agent/live-session.ts';
import type { HostTerminal, TerminalSocket } from '../terminal/host-terminal.ts';

interface Keyboard {
  socket: TerminalSocket;
  output: () => string;
}

const keyboards = new WeakMap<HostTerminal, Keyboard>();

function keyboardOf(terminal: HostTerminal): Keyboard {
  const known = keyboards.get(terminal);
  if (known && terminal.attached) return known;
  let output = Buffer.alloc(0);
  const socket: TerminalSocket = {
    bufferedAmount: 0,
    sendBytes(data, sent) {
      output = Buffer.concat([output, data]).subarray(-64 * 1024);
      sent?.();
    },
    sendText: () => undefined,
    close: () => undefined,
    pauseInput: () => undefined,
    resumeInput: () => undefined,
  };
  const keyboard = { socket, output: () => output.toString('utf8') };
  terminal.attach(socket);
  keyboards.set(terminal, keyboard);
  return keyboard;
}

/** Types `command` and Enter in `host`'s terminal; resolves with its exit status once the shell is back at its prompt. */
export async function typeCommand(session: LiveSession, host: string, command: string, timeoutMs = 120_000): Promise<number> {
  const terminal = session.terminals.get(host);
  if (!terminal) throw new Error(`the session has no ${host}`);
  const keyboard = keyboardOf(terminal);
  const before = session.flows.latest().at(-1)?.id ?? 0;
  terminal.receive(keyboard.socket, Buffer.from(`${command}\r`), true);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const flow = session.flows.latest().find((each) => each.id > before && each.host === host && each.command === command.trim());
    if (flow?.exitCode !== undefined) return flow.exitCode;
    if (Date.now() > deadline) throw new Error(`\`${command}\` on ${host} did not finish within ${timeoutMs} ms; the terminal shows:\n${keyboard.output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Types each command in its host's terminal, in order, whatever it exits with. */
export async function typeCommands(session: LiveSession, commands: readonly { host: string; run: string }[]): Promise<void> {
  for (const command of commands) await typeCommand(session, command.host, command.run);
}
