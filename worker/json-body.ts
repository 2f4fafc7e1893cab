// Reads and validates a JSON request body: a bad one is a 400 with a code, never a 500.
import type { Context } from 'hono';
import type { ZodType } from 'zod';
import { APIFailure, validBody } from '../protocol/http-errors.ts';

export async function jsonBody<T>(c: Context, schema: ZodType<T>, example: string): Promise<T> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new APIFailure('invalid_body', `The body must be JSON, e.g. ${example}.`);
  }
  return validBody(schema, body);
}
