// What the lab panel says about the learner's session, and what its Start button offers: decided
// from the session alone, so every state and ended reason has its words (tested in Node).
import type { LabSession } from '../../protocol/control-plane.ts';
import type { LabStringKey } from './lab-strings';

export interface NoticeText {
  key: LabStringKey;
  values?: Record<string, string | number>;
}

/**
 * Queued: the place in line. Starting: its hosts are being prepared (both keep asking). Running: nothing here (each terminal's connection state speaks).
 * Ended: why, and the label of the Start button that offers a new session.
 */
export type SessionNotice = { state: 'queued'; status: NoticeText } | { state: 'starting'; status: NoticeText } | { state: 'running' } | { state: 'ended'; status: NoticeText; start: LabStringKey };

const endedStatus = {
  deleted: 'doca.lab.ended.deleted',
  expired: 'doca.lab.ended.expired',
  lost: 'doca.lab.ended.lost',
  failed: 'doca.lab.ended.failed',
} as const satisfies Record<NonNullable<LabSession['endedReason']>, LabStringKey>;

export function noticeOf(session: LabSession): SessionNotice {
  if (session.state === 'queued') return { state: 'queued', status: { key: 'doca.lab.queued', values: { position: session.queuePosition ?? 1 } } };
  if (session.state === 'starting') return { state: 'starting', status: { key: 'doca.lab.starting' } };
  if (session.state === 'running') return { state: 'running' };
  const reason = session.endedReason ?? 'deleted';
  // A session no agent could start is a retry of the same Start; any other ended one starts afresh.
  return { state: 'ended', status: { key: endedStatus[reason] }, start: reason === 'failed' ? 'doca.lab.tryAgain' : 'doca.lab.startAgain' };
}
