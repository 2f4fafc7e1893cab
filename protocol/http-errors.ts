// Expected failures of Doca's HTTP services (control plane and agent) as values with a stable code,
// and the one Hono error handler that turns them, and bugs, into `{ error: { code, message } }`.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodType } from 'zod';
import { errorStatus, type APIError, type ErrorCode } from './api.ts';

export class APIFailure extends Error {
  readonly code: ErrorCode;
  /** Extra response headers, e.g. Retry-After on capacity_exhausted. */
  readonly headers: Record<string, string>;
  constructor(code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'APIFailure';
    this.code = code;
    this.headers = headers;
  }
}

export function errorBody(code: ErrorCode, message: string): APIError {
  return { error: { code, message } };
}

export function handleError(error: Error, c: Context): Response {
  if (error instanceof APIFailure) {
    return c.json(errorBody(error.code, error.message), errorStatus[error.code] as ContentfulStatusCode, error.headers);
  }
  if (error instanceof HTTPException && error.status < 500) {
    return c.json(errorBody('bad_request', error.message || 'Bad request.'), error.status);
  }
  console.error(JSON.stringify({ event: 'request.failed', path: c.req.path, error: String(error.stack ?? error) }));
  return c.json(errorBody('internal', 'Something went wrong on our side. Try again in a moment.'), 500);
}

/** A request body against its schema: the first problem, with its field, is a 400 invalid_body. */
export function validBody<T>(schema: ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new APIFailure('invalid_body', `${issue.path.join('.') || 'body'}: ${issue.message}`);
}
