// Docker Engine API access over a daemon's unix socket, for the agent and the image pipeline. A
// learner's daemon is reached through `learnerSocket(path, uid)`, never by its bare path.
import { request, type ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { connectLearnerSocket, connectPath, LearnerSocketRefused, type LearnerSocket, type SocketRefusal } from './learner-socket.ts';

export { learnerSocket, LearnerSocketRefused, type LearnerSocket, type SocketRefusal } from './learner-socket.ts';

/**
 * Where a daemon listens: a path only root can write to (the image pipeline's own daemon), or a
 * learner's socket, which is checked before every connection.
 */
export type EngineSocket = string | LearnerSocket;

export interface EngineResponse {
  status: number;
  body: string;
}

/** What one answer may hold; the agent's calls read small answers, and a learner's daemon could send any. */
export const maxEngineAnswerBytes = 1024 * 1024;

/**
 * The API version the agent's own calls to a learner's daemon name. No docker CLI of today sends it
 * (they send their own, 1.41 and up), so in the daemon's log of API calls these are the agent's: the
 * lab's checks and flow leave them out, and a check's reads never count as something the learner did.
 */
export const agentAPIVersion = 'v1.24';

/** A path as the agent asks a learner's daemon for it: `/events` → `/v1.24/events`. */
export const agentPath = (path: string) => `/${agentAPIVersion}${path}`;

/** Whether a logged API call is one of the agent's own. */
export const isAgentCall = (path: string) => path.startsWith(`/${agentAPIVersion}/`);

/** A connection to the daemon; for a learner's socket, only after it passed the checks. */
export function connectEngine(socket: EngineSocket): Promise<Socket> {
  return typeof socket === 'string' ? connectPath(socket) : connectLearnerSocket(socket);
}

/** Opens an HTTP request over `connection` (one request per connection). */
export function requestOver(connection: Socket, method: string, path: string): ClientRequest {
  return request({ createConnection: () => connection, method, path });
}

export function engineRequest(socket: EngineSocket, method: string, path: string, timeoutMs = 5_000): Promise<EngineResponse> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined;
    let settled = false;
    const settle = (error: Error | undefined, response?: EngineResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        req?.destroy();
        reject(error);
      } else resolve(response!);
    };
    const timer = setTimeout(() => settle(new Error(`Engine API ${method} ${path} timed out`)), timeoutMs);
    connectEngine(socket).then((connection) => {
      if (settled) return void connection.destroy();
      req = requestOver(connection, method, typeof socket === 'string' ? path : agentPath(path));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxEngineAnswerBytes) return settle(new Error(`Engine API ${method} ${path} answered more than ${maxEngineAnswerBytes} bytes`));
          chunks.push(chunk);
        });
        res.on('end', () => settle(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', settle);
      });
      req.on('error', settle);
      req.end();
    }, settle);
  });
}

/** Whether the daemon answers `GET /_ping`, stays silent, or sits behind a learner socket that was refused (and why). */
export async function engineStatus(socket: EngineSocket): Promise<'answering' | 'silent' | SocketRefusal> {
  try {
    const { status, body } = await engineRequest(socket, 'GET', '/_ping', 1_000);
    return status === 200 && body === 'OK' ? 'answering' : 'silent';
  } catch (error) {
    return error instanceof LearnerSocketRefused ? error.reason : 'silent';
  }
}

/** Whether the daemon behind the socket answers `GET /_ping`. */
export async function pingEngine(socket: EngineSocket): Promise<boolean> {
  return (await engineStatus(socket)) === 'answering';
}

/** Polls `/_ping` until the daemon answers, the deadline passes, or `signal` says it never will. */
export async function waitForEngine(socket: EngineSocket, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    if (await pingEngine(socket)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}
