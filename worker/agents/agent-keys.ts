// The control plane's registry of agents: agent id → that agent's public key, from the AGENT_KEYS
// secret (`wrangler secret put AGENT_KEYS`; locally, the env file npm start writes).
import { agentKeysSchema, parseKeyText, type AgentKeys, type PublicKeyJWK } from '../../protocol/keys.ts';

let cached: { text: string; keys: AgentKeys } | undefined;

/**
 * The public key registered for the agent, or undefined for an agent the control plane does not
 * know. An AGENT_KEYS that is not a valid registry is a deployment error: it throws, naming the fix.
 */
export function agentPublicKeyOf(env: { AGENT_KEYS?: string }, agentID: string): PublicKeyJWK | undefined {
  const text = env.AGENT_KEYS ?? '{}';
  if (cached?.text !== text) cached = { text, keys: parseKeyText(agentKeysSchema, text, 'AGENT_KEYS') };
  return Object.hasOwn(cached.keys, agentID) ? cached.keys[agentID] : undefined;
}
