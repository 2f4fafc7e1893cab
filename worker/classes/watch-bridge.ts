// Help mode: the instructor's read-only view of a learner's terminal, bridged by the class's room
// to the agent's watch socket. The room holds both ends, so it can close the view the moment the
// learner stops asking for help. What the agent sends reaches the instructor; of what the
// instructor sends, only flow-control acknowledgements go on (keystrokes never reach the agent).
import { terminalClientMessageSchema } from '../../protocol/terminal.ts';

/** One instructor watching one terminal. */
export interface WatchBridge {
  member: string;
  close(code: number, reason: string): void;
}

/** Close codes that may not be sent in a close frame stand for a normal end. */
const sendable = (code: number) => (code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000);

function isAcknowledgement(data: string | ArrayBuffer): boolean {
  if (typeof data !== 'string' || data.length > 200) return false;
  try {
    return terminalClientMessageSchema.safeParse(JSON.parse(data)).data?.type === 'ack';
  } catch {
    return false;
  }
}

/** Couples the instructor's socket to the agent's; `onClose` runs once, when either side ends. */
export function bridge(member: string, instructor: WebSocket, agent: WebSocket, onClose: (bridge: WatchBridge) => void): WatchBridge {
  instructor.binaryType = 'arraybuffer';
  agent.binaryType = 'arraybuffer';
  let open = true;
  const watch: WatchBridge = {
    member,
    close(code, reason) {
      if (!open) return;
      open = false;
      for (const socket of [instructor, agent]) {
        try {
          socket.close(sendable(code), reason);
        } catch {
          // already closing
        }
      }
      onClose(watch);
    },
  };
  agent.addEventListener('message', (event) => {
    if (open) instructor.send(event.data as string | ArrayBuffer);
  });
  instructor.addEventListener('message', (event) => {
    if (open && isAcknowledgement(event.data as string | ArrayBuffer)) agent.send(event.data as string);
  });
  agent.addEventListener('close', (event) => watch.close(event.code, event.reason));
  instructor.addEventListener('close', (event) => watch.close(event.code, event.reason));
  agent.addEventListener('error', () => watch.close(1011, 'the terminal failed'));
  instructor.addEventListener('error', () => watch.close(1011, 'the watcher failed'));
  return watch;
}
