// A terminal client for tests, speaking the protocol the browser speaks (acknowledgements included).
import WebSocket from 'ws';
import { terminalFlowControl, terminalServerMessageSchema, type TerminalServerMessage } from '../../protocol/terminal.ts';

export interface TestTerminal {
  messages: TerminalServerMessage[];
  /** Everything the shell wrote, as text. */
  readonly text: string;
  closed: Promise<{ code: number; reason: string }>;
  type(text: string): void;
  control(message: unknown): void;
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  waitForMessage(match: (message: TerminalServerMessage) => boolean, timeoutMs?: number): Promise<TerminalServerMessage>;
  close(): void;
}

/**
 * Opens the terminal WebSocket; rejects with the HTTP status if the agent refuses the upgrade.
 * `protocols` are the subprotocols a browser would ask for (the instructor's secret rides in them).
 */
export function openTerminal(url: string, headers: Record<string, string>, protocols: string[] = []): Promise<TestTerminal> {
  const socket = new WebSocket(url, protocols, { headers });
  socket.binaryType = 'nodebuffer';
  let bytes = Buffer.alloc(0);
  let unacknowledged = 0;
  const messages: TerminalServerMessage[] = [];
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((waiter) => waiter());
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      notify();
    }),
  );
  socket.on('message', (data: Buffer, isBinary) => {
    if (isBinary) {
      bytes = Buffer.concat([bytes, data]);
      unacknowledged += data.length;
      if (unacknowledged >= terminalFlowControl.ackEvery) {
        socket.send(JSON.stringify({ type: 'ack', bytes: unacknowledged }));
        unacknowledged = 0;
      }
    } else {
      messages.push(terminalServerMessageSchema.parse(JSON.parse(data.toString())));
    }
    notify();
  });
  const until = <T>(probe: () => T | undefined, what: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = probe();
        if (found !== undefined) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; terminal shows:\n${bytes.toString().slice(-1500)}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const terminal: TestTerminal = {
    messages,
    get text() {
      return bytes.toString();
    },
    closed,
    type: (text) => socket.send(Buffer.from(text)),
    control: (message) => socket.send(JSON.stringify(message)),
    waitFor: (pattern, timeoutMs = 60_000) =>
      until(() => ((typeof pattern === 'string' ? bytes.toString().includes(pattern) : pattern.test(bytes.toString())) ? true : undefined), String(pattern), timeoutMs).then(() => undefined),
    waitForMessage: (match, timeoutMs = 60_000) => until(() => messages.find(match), 'a control message', timeoutMs),
    close: () => socket.close(1000),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(terminal));
    socket.once('unexpected-response', (_request, response) => reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode })));
    socket.once('error', reject);
  });
}
