// Tokens signed the way the control plane signs them, for calling an agent in tests.
import { signAgentToken } from '../../protocol/tokens.ts';

export const testAgentID = 'agent-test';
export const testAgentSecret = new TextEncoder().encode('a-test-secret-of-at-least-32-bytes!!');

export function controlPlaneToken(overrides: { secret?: Uint8Array; audience?: string; issuer?: string; expiresIn?: string | number } = {}) {
  return signAgentToken(overrides.secret ?? testAgentSecret, testAgentID, { expiresIn: '1m', ...overrides });
}
