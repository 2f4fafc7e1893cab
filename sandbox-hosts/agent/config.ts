// The agent's own settings, from the environment, validated with zod (machine settings: host/config.ts).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { maxHostsPerSession } from '../../protocol/agent.ts';
import { agentURLSchema } from '../../protocol/control-plane.ts';
import { parseKeyText, privateKeyJWKSchema, publicKeyJWKSchema, type PrivateKeyJWK, type PublicKeyJWK } from '../../protocol/keys.ts';
import type { SessionLimits, WarmPoolSpec } from './live-sessions.ts';

/** A duration such as `90s`, `30m` or `2h`, in milliseconds. */
const duration = z
  .string()
  .regex(/^\d+(s|m|h)$/, 'a duration like 90s, 30m or 2h')
  .transform((text) => Number(text.slice(0, -1)) * { s: 1_000, m: 60_000, h: 3_600_000 }[text.at(-1) as 's' | 'm' | 'h']);

/** `1:2,2:1` = keep two one-host sessions and one two-host session ready. */
const warmPool = z
  .string()
  .regex(new RegExp(`^(|[1-${maxHostsPerSession}]:\\d+(,[1-${maxHostsPerSession}]:\\d+)*)$`), `host count:sessions pairs like 1:2,2:1 (host counts 1–${maxHostsPerSession})`)
  .transform((text): WarmPoolSpec => Object.fromEntries(text.split(',').filter(Boolean).map((pair) => pair.split(':').map(Number))));

export const agentConfigSchema = z.object({
  DOCA_AGENT_ID: z.string().regex(/^[a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes').default('local'),
  /** This agent's private key, a JWK as JSON (`npm run keys` makes a pair); or DOCA_AGENT_KEY_FILE. */
  DOCA_AGENT_KEY: z.string().optional(),
  /** A file holding DOCA_AGENT_KEY (e.g. mode 0600, owned by root). */
  DOCA_AGENT_KEY_FILE: z.string().optional(),
  /** The control plane's public key, a JWK as JSON: the only signer of calls this agent accepts. */
  DOCA_CONTROL_PLANE_KEY: z.string().transform((text, context) => parseKey(publicKeyJWKSchema, text, 'DOCA_CONTROL_PLANE_KEY', context)),
  DOCA_AGENT_HOST: z.string().default('127.0.0.1'),
  DOCA_AGENT_PORT: z.coerce.number().int().min(1).max(65535).default(7070),
  /** Sessions that start at once (a cold start is CPU-bound); the rest wait their turn in order. */
  DOCA_AGENT_START_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
  /** Sandbox hosts this machine holds at once, warm ones included. */
  DOCA_AGENT_CAPACITY: z.coerce.number().int().min(1).default(12),
  /** The control plane to report to (e.g. http://127.0.0.1:8787); without it the agent only answers. */
  DOCA_CONTROL_PLANE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * How the control plane reaches this agent; defaults to http://DOCA_AGENT_HOST:DOCA_AGENT_PORT.
   * https, or http on loopback only: a remote agent sits behind TLS or a tunnel.
   */
  DOCA_AGENT_URL: agentURLSchema.optional(),
  DOCA_WARM_POOL: warmPool.prefault('1:1,2:2'),
  DOCA_SESSION_TIME_LIMIT: duration.prefault('2h'),
  DOCA_SESSION_IDLE_LIMIT: duration.prefault('30m'),
  DOCA_SESSION_EXTENSION: duration.prefault('30m'),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** The settings that hold keys: dropped from the environment once read. */
export const keySettings = ['DOCA_AGENT_KEY', 'DOCA_AGENT_KEY_FILE', 'DOCA_CONTROL_PLANE_KEY'] as const;

function parseKey<T>(schema: z.ZodType<T>, text: string, setting: string, context: z.RefinementCtx): T {
  try {
    return parseKeyText(schema, text, setting);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
}

/** This agent's private key, from DOCA_AGENT_KEY or the file DOCA_AGENT_KEY_FILE names. */
export function agentKeyOf(config: AgentConfig, readFile = (path: string) => readFileSync(path, 'utf8')): PrivateKeyJWK {
  if (config.DOCA_AGENT_KEY !== undefined && config.DOCA_AGENT_KEY_FILE !== undefined) {
    throw new Error('Set DOCA_AGENT_KEY or DOCA_AGENT_KEY_FILE, not both.');
  }
  if (config.DOCA_AGENT_KEY !== undefined) return parseKeyText(privateKeyJWKSchema, config.DOCA_AGENT_KEY, 'DOCA_AGENT_KEY');
  if (config.DOCA_AGENT_KEY_FILE !== undefined) {
    let text: string;
    try {
      text = readFile(config.DOCA_AGENT_KEY_FILE);
    } catch (error) {
      throw new Error(`DOCA_AGENT_KEY_FILE: cannot read ${config.DOCA_AGENT_KEY_FILE} (${(error as Error).message}).`);
    }
    return parseKeyText(privateKeyJWKSchema, text.trim(), `DOCA_AGENT_KEY_FILE (${config.DOCA_AGENT_KEY_FILE})`);
  }
  throw new Error('Set DOCA_AGENT_KEY (this agent\'s private key, a JWK) or DOCA_AGENT_KEY_FILE (a file holding it); `npm run keys` makes a pair.');
}

export type { PrivateKeyJWK, PublicKeyJWK };

export function sessionLimitsOf(config: AgentConfig): SessionLimits {
  return { timeLimitMs: config.DOCA_SESSION_TIME_LIMIT, idleLimitMs: config.DOCA_SESSION_IDLE_LIMIT, extensionMs: config.DOCA_SESSION_EXTENSION };
}
