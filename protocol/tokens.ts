// The two short-lived tokens that cross between the control plane and an agent, signed with the
// secret they share (HS256). Each names its direction in issuer and audience, so neither can be
// replayed as the other. jose runs in workerd and Node alike.
import { SignJWT } from 'jose';
import { agentAudience, agentTokenIssuer } from './agent.ts';
import { heartbeatAudience, heartbeatIssuer } from './control-plane.ts';

export interface TokenOptions {
  /** e.g. '60s', or seconds since the epoch. */
  expiresIn?: string | number;
  /** Tests forge tokens by changing what a real one would say. */
  issuer?: string;
  audience?: string;
}

const keyOf = (secret: string | Uint8Array) => (typeof secret === 'string' ? new TextEncoder().encode(secret) : secret);

function sign(secret: string | Uint8Array, issuer: string, audience: string, expiresIn: string | number): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime(expiresIn).sign(keyOf(secret));
}

/** Control plane → agent: only the agent named accepts it. */
export function signAgentToken(secret: string | Uint8Array, agentID: string, options: TokenOptions = {}): Promise<string> {
  return sign(secret, options.issuer ?? agentTokenIssuer, options.audience ?? agentAudience(agentID), options.expiresIn ?? '60s');
}

/** Agent → control plane: a heartbeat from the agent named. */
export function signHeartbeatToken(secret: string | Uint8Array, agentID: string, options: TokenOptions = {}): Promise<string> {
  return sign(secret, options.issuer ?? heartbeatIssuer(agentID), options.audience ?? heartbeatAudience, options.expiresIn ?? '30s');
}
