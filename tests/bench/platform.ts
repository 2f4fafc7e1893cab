// The whole platform for a benchmark, started the way `npm start` starts it (scripts/start.mjs:
// the site and control plane in wrangler dev, a real agent and sandbox hosts), on its own ports,
// bridge and state, with the lab images shared.
import { spawn, type ChildProcess } from 'node:child_process';
import { signAgentToken } from '../../protocol/tokens.ts';
import { newKeyPair } from '../../scripts/keys.mjs';

export const benchPort = 8797;
export const benchAgentPort = 7078;
export const benchBase = `http://127.0.0.1:${benchPort}`;
const agentID = 'bench';
/** The control plane's key for this run: the benchmarks also call the agent directly, as the control plane would. */
const controlPlaneKey = JSON.stringify(newKeyPair().privateKey);

/** A token the bench agent accepts for one call, as the control plane signs it. */
export function benchAgentToken(method: string, path: string): Promise<string> {
  return signAgentToken(controlPlaneKey, agentID, { method, path });
}

export interface BenchPlatformOptions {
  /** `DOCA_WARM_POOL`, e.g. '2:2'; empty: none. */
  warmPool: string;
  /** Sandbox hosts the agent holds at once. */
  capacity: number;
}

/** Starts the platform and waits until the site answers, the warm pool is full and the agent has reported. */
export async function startPlatform(options: BenchPlatformOptions): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['scripts/start.mjs', '--no-build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PATH: `${process.cwd()}/node_modules/.bin:${process.env.PATH}`,
      PORT: String(benchPort),
      DOCA_AGENT_PORT: String(benchAgentPort),
      DOCA_AGENT_ID: agentID,
      CONTROL_PLANE_KEY: controlPlaneKey,
      DOCA_BRIDGE: 'docabench0',
      DOCA_BRIDGE_ADDRESS: '10.216.0.1',
      DOCA_STATE_DIR: '/var/lib/doca-bench',
      DOCA_MIRROR_DIR: '/var/lib/doca/mirror',
      DOCA_WARM_POOL: options.warmPool,
      DOCA_AGENT_CAPACITY: String(options.capacity),
    },
  });
  const wantWarm = options.warmPool ? options.warmPool.split(',').reduce((sum, pair) => sum + Number(pair.split(':')[0]) * Number(pair.split(':')[1]), 0) : 0;
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the platform did not start');
    const site = await fetch(`${benchBase}/api/health`).then((r) => r.ok).catch(() => false);
    const capacity = await fetch(`http://127.0.0.1:${benchAgentPort}/capacity`, { headers: { authorization: `Bearer ${await benchAgentToken('GET', '/capacity')}` } })
      .then((r) => r.json() as Promise<{ warm: number }>)
      .catch(() => undefined);
    if (site && capacity && capacity.warm >= wantWarm) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await new Promise((resolve) => setTimeout(resolve, 5_500)); // the agent's next report reaches the control plane
  return child;
}

export function stopPlatform(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
