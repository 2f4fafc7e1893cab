// The two short-lived tokens that cross between the control plane and an agent, signed and checked
// here for the worker, the agent, the tests and the benches. Each side signs with its own Ed25519
// key (EdDSA); each token names its direction in issuer and audience, so neither can be replayed as
// the other, and the request it authorizes in `htm` (method) and `htu` (path) or `htu_prefix`
// (a published port, whatever sub-path the learner's app asks for). jose runs in workerd and Node alike.
import { SignJWT, errors, jwtVerify, type JWTPayload } from 'jose';
import { agentAudience, agentTokenIssuer } from './agent.ts';
import { heartbeatAudience, heartbeatIssuer, heartbeatPath } from './control-plane.ts';
import { importKey, type KeyInput } from './keys.ts';

/** The longest a token lives; anything signed for longer is refused. */
export const maxTokenLifetimeSeconds = 90;
/** How far apart the signer's and the verifier's clocks may be. */
const clockToleranceSeconds = 10;

/**
 * The request a token authorizes: one method and one path (no query), or, for a published port,
 * one method and every path under `/sessions/<id>/hosts/<host>/ports/<port>`.
 */
export type RequestBinding = { method: string; path: string } | { method: string; pathPrefix: string };

/** The only prefixes a token may carry: one published port of one host of one session. */
const portPrefixPattern = /^\/sessions\/[A-Za-z0-9_-]+\/hosts\/[A-Za-z0-9_-]+\/ports\/[0-9]{1,5}$/;

export interface TokenOptions {
  /** e.g. '60s', or seconds since the epoch. */
  expiresIn?: string | number;
  /** Tests forge tokens by changing what a real one would say. */
  issuer?: string;
  audience?: string;
}

async function sign(key: KeyInput, issuer: string, audience: string, binding: RequestBinding, expiresIn: string | number): Promise<string> {
  const claims = 'path' in binding ? { htm: binding.method.toUpperCase(), htu: binding.path } : { htm: binding.method.toUpperCase(), htu_prefix: binding.pathPrefix };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(await importKey(key, 'private'));
}

/** Control plane → agent: only the agent named accepts it, only for the request named. */
export function signAgentToken(controlPlaneKey: KeyInput, agentID: string, binding: RequestBinding, options: TokenOptions = {}): Promise<string> {
  return sign(controlPlaneKey, options.issuer ?? agentTokenIssuer, options.audience ?? agentAudience(agentID), binding, options.expiresIn ?? '60s');
}

/** Agent → control plane: a heartbeat from the agent named, for its heartbeat route only. */
export function signHeartbeatToken(agentKey: KeyInput, agentID: string, options: TokenOptions & { binding?: RequestBinding } = {}): Promise<string> {
  const binding = options.binding ?? { method: 'POST', path: heartbeatPath(agentID) };
  return sign(agentKey, options.issuer ?? heartbeatIssuer(agentID), options.audience ?? heartbeatAudience, binding, options.expiresIn ?? '30s');
}

/** The request as the verifier received it. */
export interface ReceivedRequest {
  method: string;
  /** The path as routed (URL-parsed: dot segments resolved), without the query. */
  path: string;
}

export type TokenCheck = { ok: true; payload: JWTPayload } | { ok: false; reason: string };

/** An agent checks a token against the control plane's public key, its own id and the request. */
export function verifyAgentToken(token: string, options: { controlPlaneKey: KeyInput; agentID: string } & ReceivedRequest): Promise<TokenCheck> {
  return verify(token, options.controlPlaneKey, agentTokenIssuer, agentAudience(options.agentID), options);
}

/** The control plane checks a heartbeat against the public key it holds for that agent id. */
export function verifyHeartbeatToken(token: string, options: { agentKey: KeyInput; agentID: string } & ReceivedRequest): Promise<TokenCheck> {
  return verify(token, options.agentKey, heartbeatIssuer(options.agentID), heartbeatAudience, options);
}

async function verify(token: string, key: KeyInput, issuer: string, audience: string, request: ReceivedRequest): Promise<TokenCheck> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, await importKey(key, 'public'), {
      issuer,
      audience,
      // Only EdDSA: an HS256 token (signed with the public key as a secret) or alg "none" is refused.
      algorithms: ['EdDSA'],
      requiredClaims: ['exp', 'iat', 'htm'],
      maxTokenAge: maxTokenLifetimeSeconds,
      clockTolerance: clockToleranceSeconds,
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'The token has expired.' };
    if (error instanceof errors.JWTClaimValidationFailed) return { ok: false, reason: `The token's ${error.claim} claim is not accepted here.` };
    return { ok: false, reason: 'The token is not valid.' };
  }
  if ((payload.exp as number) - (payload.iat as number) > maxTokenLifetimeSeconds) {
    return { ok: false, reason: `The token lives longer than ${maxTokenLifetimeSeconds} s.` };
  }
  if (payload.htm !== request.method.toUpperCase()) return { ok: false, reason: `The token is for ${String(payload.htm)}, not ${request.method}.` };
  const { htu, htu_prefix: prefix } = payload;
  if (typeof htu === 'string' && prefix === undefined) {
    if (htu !== request.path) return { ok: false, reason: 'The token is for another path.' };
    return { ok: true, payload };
  }
  if (typeof prefix === 'string' && htu === undefined && portPrefixPattern.test(prefix)) {
    if (request.path !== prefix && !request.path.startsWith(`${prefix}/`)) return { ok: false, reason: 'The token is for another path.' };
    return { ok: true, payload };
  }
  return { ok: false, reason: 'The token names no request it authorizes (htu or a published port in htu_prefix).' };
}
