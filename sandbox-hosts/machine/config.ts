// Configuration of a sandbox-host machine, read once from the environment and validated with zod.
import { z } from 'zod';

const size = z
  .string()
  .regex(/^\d+[kmg]?$/i, 'a size like 512m or 4g')
  .transform((text) => {
    const units: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
    const unit = text.at(-1)!.toLowerCase();
    return unit in units ? Number(text.slice(0, -1)) * units[unit] : Number(text);
  });

export const hostMachineConfigSchema = z.object({
  /** Persistent state: the mirror's images, each sandbox's disk, the image cache. */
  DOCA_STATE_DIR: z.string().startsWith('/').default('/var/lib/doca'),
  /** The bridge every sandbox host's network namespace is attached to. */
  DOCA_BRIDGE: z.string().regex(/^[a-z][a-z0-9]{1,10}$/).default('doca0'),
  /** The bridge's address: sandboxes get the other addresses of its /24. */
  DOCA_BRIDGE_ADDRESS: z.ipv4().default('10.213.0.1'),
  /** Port of the Docker Hub mirror on the bridge address, where sandboxes pull (read-only). */
  DOCA_MIRROR_PORT: z.coerce.number().int().min(1).max(65535).default(5000),
  /**
   * Port on 127.0.0.1 of the mirror's writable registry, which runs only while the image pipeline publishes;
   * 0 takes a free port each time, so configurations sharing the machine never compete for one.
   */
  DOCA_MIRROR_PUSH_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** Port of the Docker Hub stand-in (HTTPS) on the bridge address. */
  DOCA_HUB_PORT: z.coerce.number().int().min(1).max(65535).default(443),
  /** Where the mirror keeps its images; defaults to `mirror/` in the state folder. */
  DOCA_MIRROR_DIR: z.string().startsWith('/').optional(),
  /** Resource caps of one sandbox host (its daemon, containers and shells together). */
  DOCA_HOST_MEMORY: size.default(1536 * 1024 ** 2),
  DOCA_HOST_PIDS: z.coerce.number().int().min(64).default(1024),
  DOCA_HOST_CPUS: z.coerce.number().min(0.1).max(64).default(1),
  DOCA_HOST_DISK: size.default(3 * 1024 ** 3),
  DOCA_HOST_TMP: size.default(256 * 1024 ** 2),
});

export type HostMachineConfig = z.infer<typeof hostMachineConfigSchema>;

export function readHostMachineConfig(env: NodeJS.ProcessEnv = process.env): HostMachineConfig {
  const parsed = hostMachineConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`Invalid sandbox-host configuration:\n${lines.join('\n')}`);
}

export function mirrorDir(config: Pick<HostMachineConfig, 'DOCA_STATE_DIR' | 'DOCA_MIRROR_DIR'>): string {
  return config.DOCA_MIRROR_DIR ?? `${config.DOCA_STATE_DIR}/mirror`;
}

/** The machine's certificate authority, made once by `loadCertificateAuthority`. */
export function certificateAuthorityFiles(config: Pick<HostMachineConfig, 'DOCA_STATE_DIR'>) {
  const dir = `${config.DOCA_STATE_DIR}/ca`;
  return { dir, cert: `${dir}/ca.pem`, key: `${dir}/ca-key.pem` };
}

/** Addresses derived from the bridge address: the /24 it sits in. */
export function bridgeSubnet(config: Pick<HostMachineConfig, 'DOCA_BRIDGE_ADDRESS'>) {
  const prefix = config.DOCA_BRIDGE_ADDRESS.split('.').slice(0, 3).join('.');
  return { prefix, cidr: `${prefix}.0/24`, gateway: config.DOCA_BRIDGE_ADDRESS };
}
