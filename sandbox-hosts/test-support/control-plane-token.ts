// Tokens signed the way the control plane signs them, with a key pair made for the test run, for
// calling an agent in tests.
import { newKeyPair, type KeyInput } from '../../protocol/keys.ts';
import { signAgentToken, type RequestBinding } from '../../protocol/tokens.ts';

export const testAgentID = 'agent-test';
/** The control plane's key pair for this test run: agents under test trust its public half. */
export const testControlPlaneKeys = await newKeyPair();

/** A token for one request: its method and its path (a URL's path is taken from it). */
export function controlPlaneToken(method: string, pathOrURL: string, overrides: { key?: KeyInput; audience?: string; issuer?: string; expiresIn?: string | number } = {}) {
  const path = pathOrURL.startsWith('/') ? pathOrURL.split('?')[0] : new URL(pathOrURL).pathname;
  return boundControlPlaneToken({ method, path }, overrides);
}

/** A token for any binding, e.g. a published port's path prefix. */
export function boundControlPlaneToken(binding: RequestBinding, overrides: { key?: KeyInput; audience?: string; issuer?: string; expiresIn?: string | number } = {}) {
  return signAgentToken(overrides.key ?? testControlPlaneKeys.privateKey, testAgentID, binding, { expiresIn: '1m', ...overrides });
}
