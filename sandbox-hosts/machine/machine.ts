// A sandbox-host machine ready to hold sandboxes: its prerequisites checked (and repaired where
// safe), bridge and firewall, certificate authority, the Docker Hub mirror with the lab images, and
// the Docker Hub stand-in.
import { loadCertificateAuthority } from './certificates.ts';
import { bridgeSubnet, type HostMachineConfig } from './config.ts';
import { hubHostNames, startHubStandIn } from './hub-stand-in.ts';
import { publishLabImages, startMirror, type PublishEvent } from './mirror.ts';
import { ensureHostNetwork } from './network.ts';
import { formatProblems, problemsOf, realProbe, runPreflight, type CheckOutcome } from './preflight/index.ts';

export interface MachineServices {
  mirrorAddress: string;
  stop(): Promise<void>;
}

export interface PrepareOptions {
  /** Where lab images are built and cached (shared by every configuration on the machine). */
  imageStateDir: string;
  onImageProgress?: (event: PublishEvent) => void;
  /** Stops the image build early (the agent was asked to stop). */
  signal?: AbortSignal;
}

/** The machine lacks a prerequisite it could not repair; the message has one line per problem. */
export class MachineNotReady extends Error {
  readonly outcomes: CheckOutcome[];
  constructor(outcomes: CheckOutcome[]) {
    super(formatProblems(outcomes));
    this.outcomes = outcomes;
  }
}

export interface MachineCheckOptions {
  /** Sandbox hosts the machine will hold at once (their disks must fit). */
  capacity: number;
  /** Where the agent is about to listen, so a second agent stops before touching the first one's sandboxes. */
  agentListen?: { host: string; port: number };
  /** Told before each repair (installing packages takes a minute). */
  onRepair?: (check: string, problem: string) => void;
}

/** Runs the preflight, repairing what is safe (as root); throws MachineNotReady if a problem remains. */
export async function checkMachine(config: HostMachineConfig, options: MachineCheckOptions): Promise<CheckOutcome[]> {
  const outcomes = await runPreflight(
    { probe: realProbe, config, capacity: options.capacity, agentListen: options.agentListen },
    { fix: true, onRepair: options.onRepair },
  );
  if (problemsOf(outcomes).length > 0) throw new MachineNotReady(outcomes);
  return outcomes;
}

/** Starts the machine's services; `checkMachine` must have passed. */
export async function startMachineServices(config: HostMachineConfig, options: PrepareOptions): Promise<MachineServices> {
  await ensureHostNetwork(config);
  const authority = await loadCertificateAuthority(config);
  const hubCertificate = await authority.issue({ commonName: hubHostNames[0], dnsNames: hubHostNames });
  const mirror = await startMirror(config);
  try {
    await publishLabImages(config, { imageStateDir: options.imageStateDir, onProgress: options.onImageProgress, signal: options.signal });
    const hub = await startHubStandIn(bridgeSubnet(config).gateway, config.DOCA_HUB_PORT, hubCertificate);
    return {
      mirrorAddress: mirror.address,
      stop: async () => {
        await hub.close();
        await mirror.stop();
      },
    };
  } catch (error) {
    await mirror.stop();
    throw error;
  }
}
