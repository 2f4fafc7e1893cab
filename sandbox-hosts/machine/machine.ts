// A sandbox-host machine ready to hold sandboxes: packages, bridge and firewall, certificate
// authority, the Docker Hub mirror with the lab images, and the Docker Hub stand-in.
import { loadCertificateAuthority } from './certificates.ts';
import { bridgeSubnet, type HostMachineConfig } from './config.ts';
import { hubHostNames, startHubStandIn } from './hub-stand-in.ts';
import { publishLabImages, startMirror, type PublishEvent } from './mirror.ts';
import { ensureHostNetwork } from './network.ts';
import { ensureSandboxHostPackages } from './packages.ts';

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

export async function startMachineServices(config: HostMachineConfig, options: PrepareOptions): Promise<MachineServices> {
  ensureSandboxHostPackages();
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
