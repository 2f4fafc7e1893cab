// What domain code gives back for an expected failure: a value with an error code from the registry
// (protocol/api.ts), never an exception. Only a route turns it into an HTTP status.
import type { ErrorCode } from './api.ts';

export type Refusal = { ok: false; code: ErrorCode; message: string };
export type Outcome<T> = { ok: true; value: T } | Refusal;

export const success = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const refusal = (code: ErrorCode, message: string): Refusal => ({ ok: false, code, message });
