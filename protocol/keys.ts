// The Ed25519 keys that sign tokens between the control plane and its agents, as JWKs: each agent
// holds its own private key and the control plane's public key; the control plane holds its own
// private key and, per agent id, that agent's public key (AGENT_KEYS).
import { exportJWK, generateKeyPair, importJWK } from 'jose';
import { z } from 'zod';
import { agentIDSchema } from './control-plane.ts';

const base64url32 = z.string().regex(/^[A-Za-z0-9_-]{43}$/, '32 bytes, base64url (43 characters)');

/** What an Ed25519 public key looks like as a JWK: `{"kty":"OKP","crv":"Ed25519","x":"…"}`. */
export const publicKeyJWKSchema = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: base64url32,
  kid: z.string().optional(),
  alg: z.enum(['EdDSA', 'Ed25519']).optional(),
  use: z.literal('sig').optional(),
});
export type PublicKeyJWK = z.infer<typeof publicKeyJWKSchema>;

/** The same with its private part `d`. */
export const privateKeyJWKSchema = publicKeyJWKSchema.extend({ d: base64url32 });
export type PrivateKeyJWK = z.infer<typeof privateKeyJWKSchema>;

/** The control plane's registry of agents: agent id → that agent's public key. */
export const agentKeysSchema = z.record(agentIDSchema, publicKeyJWKSchema);
export type AgentKeys = z.infer<typeof agentKeysSchema>;

/** A key as configured (a JWK, or its JSON text) or already imported. */
export type KeyInput = CryptoKey | PublicKeyJWK | PrivateKeyJWK | string;

/**
 * Reads a JWK (or a registry of them) from its JSON text; the error names the setting and the fix.
 * Configuration errors are bugs of the deployment, not of a request: this throws.
 */
export function parseKeyText<T>(schema: z.ZodType<T>, text: string, setting: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${setting} is not JSON: set it to a JWK such as {"kty":"OKP","crv":"Ed25519","x":"…"} (npm run keys makes one).`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${setting} is not an Ed25519 key as expected: ${z.prettifyError(parsed.error)} (npm run keys makes one).`);
  return parsed.data;
}

/** The key as WebCrypto uses it; JWK text is validated first. */
export async function importKey(key: KeyInput, kind: 'public' | 'private'): Promise<CryptoKey> {
  if (typeof key !== 'string' && !('kty' in key)) return key;
  const schema = kind === 'private' ? privateKeyJWKSchema : publicKeyJWKSchema;
  const jwk = typeof key === 'string' ? parseKeyText<PublicKeyJWK>(schema, key, `the ${kind} key`) : schema.parse(key);
  // A public key is imported from x alone, whatever else the JWK carries.
  const material = kind === 'public' ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x } : jwk;
  return (await importJWK(material, 'EdDSA')) as CryptoKey;
}

/** A new key pair, both halves as JWKs. */
export async function newKeyPair(): Promise<{ privateKey: PrivateKeyJWK; publicKey: PublicKeyJWK }> {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return {
    privateKey: privateKeyJWKSchema.parse(await exportJWK(pair.privateKey)),
    publicKey: publicKeyJWKSchema.parse(await exportJWK(pair.publicKey)),
  };
}
