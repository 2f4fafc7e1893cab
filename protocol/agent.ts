// The sandbox-host agent's HTTP API, as the control plane calls it.
import { z } from 'zod';

/** Who may call an agent: tokens the control plane signs, bound to one agent by their audience. */
export const agentTokenIssuer = 'doca-control-plane';
export const agentAudience = (agentID: string) => `doca-agent:${agentID}`;

export const maxHostsPerSession = 3;

export const createSessionRequestSchema = z.strictObject({
  hostCount: z.number().int().min(1).max(maxHostsPerSession).default(1),
});
export type CreateSessionRequest = z.input<typeof createSessionRequestSchema>;

export const sessionHostSchema = z.object({
  name: z.string(),
  address: z.ipv4(),
});

export const sessionSchema = z.object({
  id: z.string(),
  hosts: z.array(sessionHostSchema).min(1).max(maxHostsPerSession),
  createdAt: z.iso.datetime(),
});
export type Session = z.infer<typeof sessionSchema>;

export const agentCapacitySchema = z.object({
  agentID: z.string(),
  /** Sandbox hosts this agent may hold. */
  capacity: z.number().int().nonnegative(),
  used: z.number().int().nonnegative(),
  sessions: z.number().int().nonnegative(),
});
export type AgentCapacity = z.infer<typeof agentCapacitySchema>;
