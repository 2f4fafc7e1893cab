// Tokens signed the way the control plane signs them, for calling an agent in tests.
import { SignJWT } from 'jose';
import { agentAudience, agentTokenIssuer } from '../../protocol/agent.ts';

export const testAgentID = 'agent-test';
export const testAgentSecret = new TextEncoder().encode('a-test-secret-of-at-least-32-bytes!!');

export function controlPlaneToken(overrides: { secret?: Uint8Array; audience?: string; issuer?: string; expiresIn?: string | number } = {}) {
  return new SignJWT({ sub: 'control-plane' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(overrides.issuer ?? agentTokenIssuer)
    .setAudience(overrides.audience ?? agentAudience(testAgentID))
    .setIssuedAt()
    .setExpirationTime(overrides.expiresIn ?? '1m')
    .sign(overrides.secret ?? testAgentSecret);
}
