// For the terminal's own tests: a socket that keeps what the terminal sent (bytes, parsed control
// messages, the close), whether input is held back and the buffered amount a test sets; and a poll.
import { terminalServerMessageSchema, type TerminalServerMessage } from '../../protocol/terminal.ts';
import type { TerminalSocket } from '../terminal/host-terminal.ts';

export class RecordingSocket implements TerminalSocket {
  bytes = Buffer.alloc(0);
  messages: TerminalServerMessage[] = [];
  closed: { code: number; reason: string } | undefined;
  /** What the socket's own buffer holds, as the test says. */
  buffered = 0;
  inputPaused = false;
  get bufferedAmount() {
    return this.buffered;
  }
  pauseInput() {
    this.inputPaused = true;
  }
  resumeInput() {
    this.inputPaused = false;
  }
  sendBytes(data: Uint8Array, sent?: () => void) {
    this.bytes = Buffer.concat([this.bytes, data]);
    sent?.();
  }
  sendText(text: string) {
    this.messages.push(terminalServerMessageSchema.parse(JSON.parse(text)));
  }
  close(code: number, reason: string) {
    this.closed = { code, reason };
  }
  get text() {
    return this.bytes.toString();
  }
}

/** Waits until `condition` holds, polling every 10 ms; fails naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
