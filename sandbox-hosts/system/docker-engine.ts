// Docker Engine API access over a daemon's unix socket, for the agent and the image pipeline.
import { request } from 'node:http';

export interface EngineResponse {
  status: number;
  body: string;
}

export function engineRequest(socketPath: string, method: string, path: string, timeoutMs = 5_000): Promise<EngineResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`Engine API ${method} ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Whether the daemon behind the socket answers `GET /_ping`. */
export async function pingEngine(socketPath: string): Promise<boolean> {
  try {
    const { status, body } = await engineRequest(socketPath, 'GET', '/_ping', 1_000);
    return status === 200 && body === 'OK';
  } catch {
    return false;
  }
}

/** Polls `/_ping` until the daemon answers, the deadline passes, or `signal` says it never will. */
export async function waitForEngine(socketPath: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    if (await pingEngine(socketPath)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}
