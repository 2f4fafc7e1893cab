// A stand-in for a learner's daemon socket that answers `/_ping` and streams whatever bytes a test
// writes to `/events`, for tests whose subject is how the agent reads an untrusted socket.
import { chown } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';

export interface FakeEngine {
  path: string;
  /** Requests received, as `METHOD /path?query`. */
  requests: string[];
  /** Resolves with the next `/events` request's query once its response has started. */
  nextEventStream(): Promise<URLSearchParams>;
  /** Writes raw bytes to every open `/events` response, as one chunk each. */
  write(bytes: string | Buffer): void;
  /** Ends every open `/events` response. */
  endStreams(): void;
  /** What `/_ping` answers (default `OK`). */
  pingBody: string | Buffer;
  close(): Promise<void>;
}

/** Listens at `path` (a unix socket), owned by `uid`. */
export async function startFakeEngine(path: string, uid: number): Promise<FakeEngine> {
  const streams = new Set<ServerResponse>();
  const waiting: ((query: URLSearchParams) => void)[] = [];
  const engine: FakeEngine = {
    path,
    requests: [],
    pingBody: 'OK',
    nextEventStream: () => new Promise((resolve) => waiting.push(resolve)),
    write: (bytes) => streams.forEach((res) => res.write(bytes)),
    endStreams: () => streams.forEach((res) => res.end()),
    close: () =>
      new Promise((resolve) => {
        streams.forEach((res) => res.destroy());
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    engine.requests.push(`${req.method} ${req.url}`);
    // The daemon serves every route with and without an API version prefix.
    const url = new URL(req.url ?? '/', 'http://engine');
    const pathname = url.pathname.replace(/^\/v\d+\.\d+(?=\/)/, '');
    if (pathname === '/_ping') return void res.end(engine.pingBody);
    if (pathname !== '/events') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    streams.add(res);
    res.on('close', () => streams.delete(res));
    waiting.splice(0).forEach((resolve) => resolve(url.searchParams));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  await chown(path, uid, uid);
  return engine;
}
