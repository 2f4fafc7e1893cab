// What evaluating one condition gives: it holds, it fails with a reason, or it could not be read.
import type { Reason } from './reasons.ts';

export type ConditionResult = { status: 'holds' } | { status: 'fails'; reason: Reason } | { status: 'unknown'; reason: Reason; detail: string };

export const holds: ConditionResult = { status: 'holds' };

export const fails = (code: string, values: Record<string, string | number>): ConditionResult => ({
  status: 'fails',
  reason: { code, values: Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)])) },
});

/** How long one state read may take before the step is "could not check". */
export const stateReadTimeoutMs = 2_000;

/** The read's answer, or a rejection once `timeoutMs` has passed without one. */
export function within<T>(read: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([read, timeout]).finally(() => clearTimeout(timer));
}
