// A report from this agent to the control plane (passed steps, a class's activity): signed with the
// agent's own key for that very path, and tried again a few times, waiting longer each time, while
// the control plane doesn't answer or fails (it may be restarting). A refusal (4xx) is final.
import type { KeyInput } from '../../protocol/keys.ts';
import { signHeartbeatToken } from '../../protocol/tokens.ts';

export interface ReportTarget {
  controlPlaneURL: string;
  agentID: string;
  agentKey: KeyInput;
  /** Tries of one report, and the wait before the first retry (doubling). */
  attempts?: number;
  retryMs?: number;
}

/** `refused`: the control plane answered 4xx, and will again; `failed`: no try got an answer that took it. */
export type ReportOutcome = { outcome: 'sent' } | { outcome: 'refused' | 'failed'; problem: string };

export async function postReport(target: ReportTarget, path: string, body: unknown): Promise<ReportOutcome> {
  const { controlPlaneURL, agentID, agentKey, attempts = 5, retryMs = 2_000 } = target;
  let problem = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, retryMs * 2 ** (attempt - 1)));
    try {
      const token = await signHeartbeatToken(agentKey, agentID, { binding: { method: 'POST', path } });
      const response = await fetch(new URL(path, controlPlaneURL), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
      if (response.ok) return { outcome: 'sent' };
      problem = `the control plane answered ${response.status}: ${(await response.text()).slice(0, 300)}`;
      // Refused for what it says (another agent's session, a step it doesn't know): trying again won't help.
      if (response.status >= 400 && response.status < 500) return { outcome: 'refused', problem };
    } catch (error) {
      problem = (error as Error).message;
    }
  }
  return { outcome: 'failed', problem };
}
