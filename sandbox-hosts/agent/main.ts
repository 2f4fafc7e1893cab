// The sandbox-host agent: prepares this machine, removes what a previous run left, and serves the
// agent API to the control plane. Run as root: `node sandbox-hosts/agent/main.ts`.
import { serve } from '@hono/node-server';
import { z } from 'zod';
import { readHostMachineConfig } from '../host/config.ts';
import { startMachineServices } from '../host/machine.ts';
import { AddressPool } from '../sandbox/address-pool.ts';
import { SandboxHosts } from '../sandbox/sandbox-host.ts';
import { SandboxSessions } from '../sandbox/session.ts';
import { createAgentApp } from './app.ts';
import { removeLeftovers } from './leftovers.ts';

const agentConfigSchema = z.object({
  DOCA_AGENT_ID: z.string().regex(/^[a-z0-9-]{1,40}$/).default('local'),
  /** Shared with the control plane, which signs the agent's tokens with it (HS256). */
  DOCA_AGENT_SECRET: z.string().min(32, 'use at least 32 characters'),
  DOCA_AGENT_HOST: z.string().default('127.0.0.1'),
  DOCA_AGENT_PORT: z.coerce.number().int().min(1).max(65535).default(7070),
  /** Sandbox hosts this machine holds at once. */
  DOCA_AGENT_CAPACITY: z.coerce.number().int().min(1).default(20),
});

const parsed = agentConfigSchema.safeParse(process.env);
if (!parsed.success) {
  console.error(`Invalid agent configuration: ${z.prettifyError(parsed.error)}`);
  process.exit(2);
}
const config = parsed.data;
const machine = readHostMachineConfig();
const hosts = new SandboxHosts(machine);

const removed = await removeLeftovers(hosts);
if (removed.length > 0) console.log(JSON.stringify({ event: 'agent.leftovers_removed', hosts: removed }));
const services = await startMachineServices(machine, {
  imageStateDir: machine.DOCA_STATE_DIR,
  onImageProgress: (event) => {
    if (event.type === 'image-done') console.log(JSON.stringify({ event: 'image.ready', image: event.result.name, status: event.result.status }));
  },
});
const sessions = new SandboxSessions(hosts, new AddressPool(machine.DOCA_BRIDGE_ADDRESS));
const app = createAgentApp({
  agentID: config.DOCA_AGENT_ID,
  secret: new TextEncoder().encode(config.DOCA_AGENT_SECRET),
  sessions,
  capacity: config.DOCA_AGENT_CAPACITY,
});
const server = serve({ fetch: app.fetch, hostname: config.DOCA_AGENT_HOST, port: config.DOCA_AGENT_PORT }, (info) => {
  console.log(JSON.stringify({ event: 'agent.listening', address: info.address, port: info.port, agent: config.DOCA_AGENT_ID }));
});

async function shutdown() {
  server.close();
  await removeLeftovers(hosts);
  await services.stop();
  process.exit(0);
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
