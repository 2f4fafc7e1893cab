// The sandbox-host agent's HTTP API, as the control plane calls it.
import { z } from 'zod';
import { labProgressSchema } from './progress.ts';

/** Who may call an agent: tokens the control plane signs, bound to one agent by their audience. */
export const agentTokenIssuer = 'doca-control-plane';
export const agentAudience = (agentID: string) => `doca-agent:${agentID}`;

export const maxHostsPerSession = 3;

/** A session for a lab (which sets the number of hosts) or, without one, for `hostCount` hosts. */
export const sessionKeySchema = z.string().regex(/^[A-Za-z0-9-]{8,64}$/, '8 to 64 letters, digits and dashes, e.g. a UUID');

/** The answer to a session request that is still waiting its turn or starting: ask again with the same key. */
export const sessionStartingSchema = z.object({ key: sessionKeySchema, state: z.literal('starting') });
export type SessionStarting = z.infer<typeof sessionStartingSchema>;

export const createSessionRequestSchema = z
  .strictObject({
    lab: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'a lab id such as "arquitetura"').optional(),
    hostCount: z.number().int().min(1).max(maxHostsPerSession).optional(),
    /**
     * The control plane's name for the session: asking again with the same key gets the same session
     * (or, while it is still starting, `202 {"key","state":"starting"}`), never a second one.
     */
    key: sessionKeySchema.optional(),
  })
  .refine((request) => !(request.lab && request.hostCount), { message: 'give either lab or hostCount: a lab sets its own number of hosts', path: ['hostCount'] });
export type CreateSessionRequest = z.input<typeof createSessionRequestSchema>;

export const sessionHostSchema = z.object({
  name: z.string(),
  address: z.ipv4(),
});

export const sessionSchema = z.object({
  id: z.string(),
  /** The control plane's name for it, when it gave one. */
  key: z.string().nullable(),
  /** The lab the session was started for, if any. */
  lab: z.string().nullable(),
  hosts: z.array(sessionHostSchema).min(1).max(maxHostsPerSession),
  createdAt: z.iso.datetime(),
  /** When the agent removes the session unless it is extended. */
  expiresAt: z.iso.datetime(),
  /** The learner's last keystroke in any of its terminals (creation time until the first). */
  lastInputAt: z.iso.datetime(),
  /** When the session is removed for idling unless the learner types before then. */
  idleUntil: z.iso.datetime(),
});
export type Session = z.infer<typeof sessionSchema>;

/** Extends a session's time limit by `seconds` (default: the agent's extension step), up to its full limit from now. */
export const extendSessionRequestSchema = z.strictObject({
  seconds: z.number().int().min(60).max(24 * 3600).optional(),
});
export type ExtendSessionRequest = z.infer<typeof extendSessionRequestSchema>;

/** `POST /sessions/:id/check`: the lab's steps, checked now. */
export const labCheckSchema = z.object({ steps: labProgressSchema });
export type LabCheck = z.infer<typeof labCheckSchema>;

export const agentCapacitySchema = z.object({
  agentID: z.string(),
  /** Sandbox hosts this agent may hold. */
  capacity: z.number().int().nonnegative(),
  used: z.number().int().nonnegative(),
  sessions: z.number().int().nonnegative(),
  /** Pre-started hosts waiting for a learner (counted in `used`). */
  warm: z.number().int().nonnegative(),
  /** Why the agent cannot make sandboxes now (capacity is then 0), or null. */
  problem: z.string().nullable(),
});
export type AgentCapacity = z.infer<typeof agentCapacitySchema>;
