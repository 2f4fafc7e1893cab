// Expected failures of the control plane, as values with a stable code; the HTTP status comes from one map.
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from '../../protocol';

export const statusOf: Record<ErrorCode, ContentfulStatusCode> = {
  not_found: 404,
  bad_request: 400,
  internal: 500,
};

export class APIFailure extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'APIFailure';
    this.code = code;
  }
}
