// The agent reports to the control plane every few seconds: where to reach it and how full it is.
// A control plane that doesn't hear from it stops sending it learners.
import { heartbeatAnswerSchema, heartbeatPath, type AgentHeartbeat, type HeartbeatAnswer } from '../../protocol/control-plane.ts';
import type { KeyInput } from '../../protocol/keys.ts';
import { signHeartbeatToken } from '../../protocol/tokens.ts';
import type { Logger } from './live-sessions.ts';

export interface HeartbeatOptions {
  controlPlaneURL: string;
  agentID: string;
  /** This agent's private key: the control plane checks it against the public key it holds for agentID. */
  agentKey: KeyInput;
  report: () => AgentHeartbeat;
  /** The control plane's answer: sessions it no longer knows, for the agent to remove. */
  onAnswer?: (answer: HeartbeatAnswer) => void;
  intervalMs?: number;
  log: Logger;
}

export function startHeartbeat(options: HeartbeatOptions): { stop(): void; beat(): Promise<boolean> } {
  let failing = false;
  let reported = false;
  const beat = async (): Promise<boolean> => {
    try {
      const token = await signHeartbeatToken(options.agentKey, options.agentID);
      const response = await fetch(new URL(heartbeatPath(options.agentID), options.controlPlaneURL), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(options.report()),
        signal: AbortSignal.timeout(5_000),
      });
      if (response.status !== 200) throw new Error(`the control plane answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
      options.onAnswer?.(heartbeatAnswerSchema.parse(await response.json()));
      if (failing) options.log({ event: 'heartbeat.restored' });
      else if (!reported) options.log({ event: 'heartbeat.reporting', controlPlane: options.controlPlaneURL });
      failing = false;
      reported = true;
      return true;
    } catch (error) {
      // Logged once per outage, not every few seconds.
      if (!failing) options.log({ event: 'heartbeat.failed', error: (error as Error).message });
      failing = true;
      return false;
    }
  };
  void beat();
  const timer = setInterval(() => void beat(), options.intervalMs ?? 5_000);
  return { stop: () => clearInterval(timer), beat };
}
