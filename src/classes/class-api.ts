// Calls to the control plane's class routes from the pages: JSON in and out, the instructor's
// secret as a bearer token, and a refusal read as its error code (the pages word it themselves).
import { apiErrorSchema, type ErrorCode } from '../../protocol/api.ts';

export class ClassAPIError extends Error {
  override name = 'ClassAPIError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  secret?: string;
}

export async function call(path: string, { method = 'GET', body, secret }: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (secret) headers.authorization = `Bearer ${secret}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.ok) return response;
  // Something in between (a proxy's error page) may answer with no JSON at all.
  const error = apiErrorSchema.safeParse(await response.json().catch(() => null));
  throw new ClassAPIError(response.status, error.success ? error.data.error.code : undefined, error.success ? error.data.error.message : `HTTP ${response.status}`);
}

export async function callJSON<T>(path: string, parse: (json: unknown) => T, options: CallOptions = {}): Promise<T> {
  return parse(await (await call(path, options)).json());
}
