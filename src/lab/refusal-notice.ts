// What the lab panel says when the control plane refuses a call for a limit (too many requests or
// sessions from the learner's address, no extensions left): decided from the error code and the
// Retry-After header alone, so each refusal has its words in every language (tested in Node).
import type { ErrorCode } from '../../protocol/api.ts';
import type { NoticeText } from './session-notice';

export interface RefusalNotice {
  status: NoticeText;
  /** Whether the Extend button still makes sense. */
  offersExtend: boolean;
}

/** When a refusal has no usable Retry-After (another proxy's 429, say): a wait that is never zero. */
const defaultWaitSeconds = 30;

/** The words for a limit's refusal, or null for any other error (the panel's generic message). */
export function refusalNotice(code: ErrorCode | undefined, retryAfter: string | null): RefusalNotice | null {
  const seconds = waitSeconds(retryAfter);
  if (code === 'rate_limited') return { status: { key: 'doca.lab.limit.rateLimited', values: { seconds } }, offersExtend: true };
  if (code === 'too_many_sessions') return { status: { key: 'doca.lab.limit.tooManySessions', values: { seconds } }, offersExtend: true };
  if (code === 'extension_limit') return { status: { key: 'doca.lab.limit.extensions' }, offersExtend: false };
  return null;
}

/** Retry-After in seconds (our services send whole seconds; an HTTP date is read too). */
function waitSeconds(retryAfter: string | null): number {
  if (retryAfter === null) return defaultWaitSeconds;
  if (/^\d+$/.test(retryAfter.trim())) return Math.max(1, Number(retryAfter.trim()));
  const at = Date.parse(retryAfter);
  return Number.isNaN(at) ? defaultWaitSeconds : Math.max(1, Math.ceil((at - Date.now()) / 1000));
}
