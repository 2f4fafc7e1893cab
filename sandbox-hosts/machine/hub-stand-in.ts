// Stands in for Docker Hub (registry-1.docker.io, auth.docker.io) on the bridge, so that what the
// mirror does not hold fails the way Docker Hub refuses it — "pull access denied", "denied:
// requested access to the resource is denied" — instead of hanging on a DNS lookup for 20 s.
import { createServer, type Server } from 'node:https';
import type { Certificate } from './certificates.ts';

/**
 * The names sandbox daemons resolve to the stand-in (through their own /etc/hosts). `docker.io`
 * itself is looked up by the daemon before every push and pull; unresolvable, it costs a 10 s DNS
 * timeout each time.
 */
export const hubHostNames = ['registry-1.docker.io', 'auth.docker.io', 'index.docker.io', 'docker.io'];

export interface HubStandIn {
  close(): Promise<void>;
}

export async function startHubStandIn(address: string, port: number, certificate: Certificate): Promise<HubStandIn> {
  const server: Server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    const url = new URL(req.url ?? '/', `https://${req.headers.host ?? 'registry-1.docker.io'}`);
    res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
    if (url.pathname === '/token') {
      // Like Docker Hub, anyone gets a token; it just grants nothing.
      const token = Buffer.from(JSON.stringify({ scope: url.searchParams.get('scope') ?? '' })).toString('base64url');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
      return;
    }
    // Without a token: the usual challenge. With one: Docker Hub's answer for a repository the
    // token grants nothing on — insufficient_scope, which Docker reports as "denied" and never retries.
    const repository = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(url.pathname)?.[1];
    const scope = repository ? `,scope="repository:${repository}:pull,push"` : '';
    const refused = Boolean(repository && req.headers.authorization);
    const challenge = `Bearer realm="https://auth.docker.io/token",service="registry.docker.io"${scope}${refused ? ',error="insufficient_scope"' : ''}`;
    res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': challenge });
    const error = refused
      ? { code: 'DENIED', message: 'requested access to the resource is denied' }
      : { code: 'UNAUTHORIZED', message: 'authentication required' };
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ errors: [error] }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
