// Shapes of the control plane's HTTP API as every client sees them: the site, the agent, tests.
import { z } from 'zod';

/** Every error code a client can receive. Codes are stable; messages are for people. */
export const errorCodes = ['not_found', 'bad_request', 'internal'] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const apiErrorSchema = z.object({
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
  }),
});
export type APIError = z.infer<typeof apiErrorSchema>;

export const healthResponseSchema = z.object({ ok: z.literal(true) });
export type HealthResponse = z.infer<typeof healthResponseSchema>;
