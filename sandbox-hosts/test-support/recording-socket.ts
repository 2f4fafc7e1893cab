// A terminal socket for the terminal's own tests: it keeps what the terminal sent (bytes, parsed
// control messages, the close), whether input is held back, and the buffered amount a test sets.
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
