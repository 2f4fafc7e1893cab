// Shapes of the control plane's HTTP API as every client sees them: the site, the agent, tests.
import { z } from 'zod';

/** Every error code a client can receive. Codes are stable; messages are for people. */
export const errorCodes = [
  'not_found',
  'bad_request',
  'invalid_body',
  'unauthorized',
  'forbidden',
  'session_not_found',
  'host_not_found',
  'lab_not_found',
  'session_not_running',
  'port_not_open',
  'capacity_exhausted',
  /** An agent could not create a session's sandbox (its machine cannot make one now). */
  'sandbox_failed',
  /** Too many new learners from one client address in the last minute. */
  'rate_limited',
  /** One client address already holds as many live (queued or running) sessions as it may. */
  'too_many_sessions',
  /** The session has had every extension it may have; it ends at its time. */
  'extension_limit',
  /** The session's agent did not answer in time; trying again may work. */
  'agent_unavailable',
  /** No class has this join code (or id): mistyped, or the class was deleted. */
  'class_not_found',
  /** The class has ended (its instructor ended it, or its end time passed): it takes no one new. */
  'class_ended',
  /** The class opens at its start time. */
  'class_not_started',
  /** The learner is in no class (help is asked of a class's instructor). */
  'not_in_class',
  /** The instructor may watch a learner's terminal only while that learner asks for help. */
  'help_not_requested',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** The HTTP status that goes with each code, for every service that answers with these errors. */
export const errorStatus = {
  not_found: 404,
  bad_request: 400,
  invalid_body: 400,
  unauthorized: 401,
  forbidden: 403,
  session_not_found: 404,
  host_not_found: 404,
  lab_not_found: 404,
  session_not_running: 409,
  port_not_open: 502,
  capacity_exhausted: 503,
  sandbox_failed: 500,
  rate_limited: 429,
  too_many_sessions: 429,
  // Waiting never makes room for another extension: a conflict with the session's state, not a rate.
  extension_limit: 409,
  agent_unavailable: 503,
  class_not_found: 404,
  class_ended: 410,
  class_not_started: 409,
  not_in_class: 409,
  help_not_requested: 403,
  internal: 500,
} as const satisfies Record<ErrorCode, number>;

export const apiErrorSchema = z.object({
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
  }),
});
export type APIError = z.infer<typeof apiErrorSchema>;

export const healthResponseSchema = z.object({ ok: z.literal(true) });
export type HealthResponse = z.infer<typeof healthResponseSchema>;
