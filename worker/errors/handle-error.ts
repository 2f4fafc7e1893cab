// The control plane's one error handler: clients get `{ error: { code, message } }`, logs get the detail.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { APIError, ErrorCode } from '../../protocol';
import { APIFailure, statusOf } from './api-error';

export function errorBody(code: ErrorCode, message: string): APIError {
  return { error: { code, message } };
}

export function handleError(error: Error, c: Context): Response {
  if (error instanceof APIFailure) {
    return c.json(errorBody(error.code, error.message), statusOf[error.code]);
  }
  if (error instanceof HTTPException && error.status < 500) {
    return c.json(errorBody('bad_request', error.message || 'Bad request.'), error.status);
  }
  console.error(JSON.stringify({ event: 'request.failed', path: c.req.path, error: String(error.stack ?? error) }));
  return c.json(errorBody('internal', 'Something went wrong on our side. Try again in a moment.'), 500);
}
