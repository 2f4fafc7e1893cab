// Every agent call carries a short-lived token the control plane signs with its own key; the agent
// checks signature (the control plane's public key, EdDSA only), issuer, audience (this agent),
// expiry, and that the token was made for this very request (method and path) before anything else.
import type { MiddlewareHandler } from 'hono';
import { APIFailure } from '../../protocol/http-errors.ts';
import type { KeyInput } from '../../protocol/keys.ts';
import { verifyAgentToken } from '../../protocol/tokens.ts';

export interface AgentAuthOptions {
  agentID: string;
  /** The control plane's public key (Ed25519): the only signer this agent obeys. */
  controlPlaneKey: KeyInput;
}

export function requireControlPlane(options: AgentAuthOptions): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer (\S+)$/.exec(header)?.[1];
    if (!token) throw new APIFailure('unauthorized', 'Send a control-plane token: Authorization: Bearer <token>.');
    // c.req.path is the path the router matches: the binding holds for the route that answers.
    const check = await verifyAgentToken(token, { controlPlaneKey: options.controlPlaneKey, agentID: options.agentID, method: c.req.method, path: c.req.path });
    if (!check.ok) throw new APIFailure('unauthorized', check.reason);
    await next();
  };
}
