// Serves the agent's Hono app on Node, WebSocket upgrades included (the terminals).
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { terminalFrameLimits } from '../../protocol/terminal.ts';

export interface AgentServer {
  /** e.g. http://127.0.0.1:7070 */
  url: string;
  close(): Promise<void>;
}

export function serveAgent(app: { fetch: (request: Request) => Response | Promise<Response> }, hostname: string, port: number): Promise<AgentServer> {
  // The terminals are the only WebSockets. A frame past the limit closes its socket (1009) before
  // the agent holds it; compression stays off, so no small frame can inflate into a large one.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: terminalFrameLimits.maxFrameBytes, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    const server: ServerType = serve({ fetch: app.fetch, hostname, port, websocket: { server: sockets } }, (info: AddressInfo) => {
      resolve({
        url: `http://${info.address}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const client of sockets.clients) client.terminate();
            sockets.close();
            server.close(() => done());
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
