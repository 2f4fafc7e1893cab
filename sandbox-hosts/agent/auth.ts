// Every agent call carries a short-lived token the control plane signs; the agent checks signature,
// issuer, audience (this agent) and expiry before anything else.
import type { MiddlewareHandler } from 'hono';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import { agentAudience, agentTokenIssuer } from '../../protocol/index.ts';
import { APIFailure } from '../../protocol/http-errors.ts';

export interface AgentAuthOptions {
  agentID: string;
  /** The HMAC secret shared with the control plane (HS256). */
  secret: Uint8Array;
}

export async function verifyAgentToken(token: string, options: AgentAuthOptions): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, options.secret, {
      issuer: agentTokenIssuer,
      audience: agentAudience(options.agentID),
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
    });
    return payload;
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new APIFailure('unauthorized', 'The token has expired.');
    if (error instanceof errors.JWTClaimValidationFailed) {
      throw new APIFailure('unauthorized', `The token's ${error.claim} claim is not accepted here.`);
    }
    throw new APIFailure('unauthorized', 'The token is not valid.');
  }
}

export function requireControlPlane(options: AgentAuthOptions): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer (\S+)$/.exec(header)?.[1];
    if (!token) throw new APIFailure('unauthorized', 'Send a control-plane token: Authorization: Bearer <token>.');
    await verifyAgentToken(token, options);
    await next();
  };
}
