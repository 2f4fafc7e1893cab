// The agent's auth middleware on a tiny Hono app: only the control plane's key, only for this
// agent, only for the request the token names, only while it is fresh.
import { Hono } from 'hono';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { agentAudience, agentTokenIssuer, apiErrorSchema } from '../../protocol/index.ts';
import { handleError } from '../../protocol/http-errors.ts';
import { newKeyPair } from '../../protocol/keys.ts';
import { boundControlPlaneToken, controlPlaneToken, testAgentID, testControlPlaneKeys } from '../test-support/control-plane-token.ts';
import { requireControlPlane } from './auth.ts';

const app = new Hono()
  .use('*', requireControlPlane({ agentID: testAgentID, controlPlaneKey: testControlPlaneKeys.publicKey }))
  .get('/capacity', (c) => c.text('capacity'))
  .post('/sessions/:id/extend', (c) => c.text(`extended ${c.req.param('id')}`))
  .delete('/sessions/:id', (c) => c.text(`deleted ${c.req.param('id')}`))
  .get('/sessions/:id/hosts/:host/terminal', (c) => c.text('terminal'))
  .all('/sessions/:id/hosts/:host/ports/:port{[0-9]+}/*', (c) => c.text(`port ${c.req.param('port')} ${c.req.path}`))
  .onError(handleError);

const call = (method: string, path: string, token: string | undefined) =>
  app.request(path, { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

async function expectRefused(response: Response) {
  expect(response.status).toBe(401);
  const body = apiErrorSchema.parse(await response.json());
  expect(body.error.code).toBe('unauthorized');
  return body.error.message;
}

/** A token with exactly these header and claims, signed (or not) as given. */
const raw = (header: object, claims: object, signature = '') =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
const now = () => Math.floor(Date.now() / 1000);
const fullClaims = () => ({ iss: agentTokenIssuer, aud: agentAudience(testAgentID), iat: now(), exp: now() + 60, htm: 'POST', htu: '/sessions/abc/extend' });

describe('a control-plane token for this agent', () => {
  it('lets the request it names through', async () => {
    const response = await call('POST', '/sessions/abc/extend', await controlPlaneToken('POST', '/sessions/abc/extend'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('extended abc');
  });

  it('opens the terminal it names (GET, the WebSocket path)', async () => {
    const path = '/sessions/abc/hosts/host1/terminal';
    expect((await call('GET', path, await controlPlaneToken('GET', path))).status).toBe(200);
  });

  it("reaches any path under the published port it names, and only that port's", async () => {
    const token = await boundControlPlaneToken({ method: 'GET', pathPrefix: '/sessions/abc/hosts/host1/ports/8080' });
    const response = await call('GET', '/sessions/abc/hosts/host1/ports/8080/static/app.js?v=2', token);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('port 8080 /sessions/abc/hosts/host1/ports/8080/static/app.js');
    await expectRefused(await call('GET', '/sessions/abc/hosts/host1/ports/80/', token));
    await expectRefused(await call('GET', '/sessions/abc/hosts/host1/ports/80800/', token));
    await expectRefused(await call('GET', '/sessions/abc/hosts/host2/ports/8080/', token));
    await expectRefused(await call('DELETE', '/sessions/abc', token));
    // Dot segments are resolved before routing and checking: they cannot climb out of the prefix.
    await expectRefused(await call('GET', '/sessions/abc/hosts/host1/ports/8080/../../../../abc', token));
  });
});

describe('forged token is rejected', () => {
  it('without a token', async () => {
    await expectRefused(await call('GET', '/capacity', undefined));
  });

  it('signed by a key that is not the control plane’s', async () => {
    const other = await newKeyPair();
    await expectRefused(await call('GET', '/capacity', await controlPlaneToken('GET', '/capacity', { key: other.privateKey })));
  });

  it('meant for another agent (wrong audience)', async () => {
    const message = await expectRefused(await call('GET', '/capacity', await controlPlaneToken('GET', '/capacity', { audience: agentAudience('another-agent') })));
    expect(message).toMatch(/aud/);
  });

  it('from another issuer (a heartbeat token turned around)', async () => {
    await expectRefused(await call('GET', '/capacity', await controlPlaneToken('GET', '/capacity', { issuer: agentAudience(testAgentID) })));
  });

  it('expired', async () => {
    const expired = await controlPlaneToken('GET', '/capacity', { expiresIn: now() - 60 });
    expect(await expectRefused(await call('GET', '/capacity', expired))).toMatch(/expired/);
  });

  it('living longer than 90 s, even signed by the control plane', async () => {
    const long = await controlPlaneToken('GET', '/capacity', { expiresIn: '10m' });
    expect(await expectRefused(await call('GET', '/capacity', long))).toMatch(/longer/);
  });

  it('replayed on another path', async () => {
    const token = await controlPlaneToken('POST', '/sessions/abc/extend');
    await expectRefused(await call('POST', '/sessions/xyz/extend', token));
    await expectRefused(await call('GET', '/sessions/abc/hosts/host1/terminal', token));
  });

  it('replayed with another method', async () => {
    const token = await controlPlaneToken('POST', '/sessions/abc/extend');
    await expectRefused(await call('DELETE', '/sessions/abc/extend', token));
    await expectRefused(await call('DELETE', '/sessions/abc', await controlPlaneToken('GET', '/sessions/abc')));
  });

  it('a prefix that is not a published port', async () => {
    const token = await boundControlPlaneToken({ method: 'DELETE', pathPrefix: '/sessions' });
    await expectRefused(await call('DELETE', '/sessions/abc', token));
  });

  it('unsigned (alg none)', async () => {
    await expectRefused(await call('POST', '/sessions/abc/extend', raw({ alg: 'none' }, fullClaims())));
  });

  it('HS256, keyed with the control plane’s public key', async () => {
    // The classic confusion: a verifier that took the algorithm from the token would check this
    // HMAC with the public key's bytes, which anyone has.
    const secret = new TextEncoder().encode(JSON.stringify(testControlPlaneKeys.publicKey));
    const hs256 = await new SignJWT({ htm: 'POST', htu: '/sessions/abc/extend' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(agentTokenIssuer)
      .setAudience(agentAudience(testAgentID))
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(secret);
    await expectRefused(await call('POST', '/sessions/abc/extend', hs256));
    const x = new Uint8Array(Buffer.from(testControlPlaneKeys.publicKey.x, 'base64url'));
    const withRawKey = await new SignJWT({ htm: 'POST', htu: '/sessions/abc/extend' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(agentTokenIssuer).setAudience(agentAudience(testAgentID)).setIssuedAt().setExpirationTime('60s').sign(x);
    await expectRefused(await call('POST', '/sessions/abc/extend', withRawKey));
  });

  it('without the request it authorizes', async () => {
    const { htm: _, htu: __, ...claims } = fullClaims();
    const unbound = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA' }).sign(await (await import('../../protocol/keys.ts')).importKey(testControlPlaneKeys.privateKey, 'private'));
    await expectRefused(await call('POST', '/sessions/abc/extend', unbound));
  });
});
