// The agent's own settings, from the environment, validated with zod (machine settings: host/config.ts).
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { maxHostsPerSession } from '../../protocol/agent.ts';
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
  /** Shared with the control plane, which signs the agent's tokens with it (HS256). */
  DOCA_AGENT_SECRET: z.string().min(32, 'use at least 32 characters'),
  DOCA_AGENT_HOST: z.string().default('127.0.0.1'),
  DOCA_AGENT_PORT: z.coerce.number().int().min(1).max(65535).default(7070),
  /** Sessions that start at once (a cold start is CPU-bound); the rest wait their turn in order. */
  DOCA_AGENT_START_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
  /** Sandbox hosts this machine holds at once, warm ones included. */
  DOCA_AGENT_CAPACITY: z.coerce.number().int().min(1).default(12),
  /** The control plane to report to (e.g. http://127.0.0.1:8787); without it the agent only answers. */
  DOCA_CONTROL_PLANE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** How the control plane reaches this agent; defaults to http://DOCA_AGENT_HOST:DOCA_AGENT_PORT. */
  DOCA_AGENT_URL: z.url({ protocol: /^https?$/ }).optional(),
  DOCA_WARM_POOL: warmPool.prefault('1:1,2:2'),
  DOCA_SESSION_TIME_LIMIT: duration.prefault('2h'),
  DOCA_SESSION_IDLE_LIMIT: duration.prefault('30m'),
  DOCA_SESSION_EXTENSION: duration.prefault('30m'),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

export function sessionLimitsOf(config: AgentConfig): SessionLimits {
  return { timeLimitMs: config.DOCA_SESSION_TIME_LIMIT, idleLimitMs: config.DOCA_SESSION_IDLE_LIMIT, extensionMs: config.DOCA_SESSION_EXTENSION };
}
