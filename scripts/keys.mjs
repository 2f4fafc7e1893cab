// Ed25519 key pairs as JWKs, for the control plane and its agents (protocol/keys.ts describes who
// holds which half). `npm run keys` prints a new pair: the private key for its holder alone, the
// public key for the other side (DOCA_CONTROL_PLANE_KEY, or an entry of AGENT_KEYS).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** A new key pair: { privateKey, publicKey }, both JWKs ({"kty":"OKP","crv":"Ed25519",…}). */
export function newKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey: privateKey.export({ format: 'jwk' }), publicKey: publicKey.export({ format: 'jwk' }) };
}

/**
 * The same key pair every time for the same name: for test setups whose processes must agree on
 * keys without passing them around (Playwright loads its config in every worker). Never for a
 * deployment: anyone who reads the name has the key.
 */
export function testKeyPair(name) {
  const seed = createHash('sha256').update(`doca-test-key:${name}`).digest();
  // PKCS#8 for Ed25519 is a fixed 16-byte prefix followed by the 32-byte seed.
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return { privateKey: privateKey.export({ format: 'jwk' }), publicKey: createPublicKey(privateKey).export({ format: 'jwk' }) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { privateKey, publicKey } = newKeyPair();
  console.log(`private (its holder only: DOCA_AGENT_KEY, or CONTROL_PLANE_KEY):\n${JSON.stringify(privateKey)}\n`);
  console.log(`public (the other side: an entry of AGENT_KEYS, or DOCA_CONTROL_PLANE_KEY):\n${JSON.stringify(publicKey)}`);
}
