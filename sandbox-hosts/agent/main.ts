// The sandbox-host agent: prepares this machine, removes what a previous run left, keeps a warm
// pool, reaps expired and idle sessions, and serves the agent API to the control plane.
// Run as root: `node sandbox-hosts/agent/main.ts`. SIGINT or SIGTERM, at any moment, stops it after
// it has removed every sandbox host and service it started; further signals don't interrupt that.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { labs } from '../../src/labs/index.ts';
import { readHostMachineConfig } from '../machine/config.ts';
import { checkMachine, startMachineServices } from '../machine/machine.ts';
import { chargeSharedFilesToMachine } from '../machine/shared-files.ts';
import { createProgressPrinter } from '../images/progress.ts';
import { AddressPool } from '../sandbox/address-pool.ts';
import { SandboxHosts } from '../sandbox/sandbox-host.ts';
import { SandboxSessions } from '../sandbox/session.ts';
import { createAgentApp } from './app.ts';
import { importKey } from '../../protocol/keys.ts';
import { agentConfigSchema, agentKeyOf, keySettings, sessionLimitsOf, type PrivateKeyJWK } from './config.ts';
import { startHeartbeat } from './heartbeat.ts';
import { ProgressReporter } from './progress-reporter.ts';
import { ActivityReporter } from './activity-reporter.ts';
import { removeLeftovers } from './leftovers.ts';
import { Admission } from './admission.ts';
import { LiveSessions } from './live-sessions.ts';
import { selfTest } from './self-test.ts';
import { installLastResort } from './last-resort.ts';
import { serveAgent } from './server.ts';

/** How often sessions are checked against their time and idle limits. */
const reapIntervalMs = 15_000;
const log = (event: Record<string, unknown>) => console.log(JSON.stringify(event));

const parsed = agentConfigSchema.safeParse(process.env);
if (!parsed.success) {
  console.error(`Invalid agent configuration: ${z.prettifyError(parsed.error)}`);
  process.exit(2);
}
const config = parsed.data;
let agentKey: PrivateKeyJWK;
try {
  agentKey = agentKeyOf(config);
} catch (error) {
  console.error(`Invalid agent configuration: ${(error as Error).message}`);
  process.exit(2);
}
// Read once: nothing the agent starts inherits its keys, whatever environment a spawn is given.
for (const setting of keySettings) delete process.env[setting];
/** Tells the control plane that this is a new run: sessions of an earlier one are gone. */
const bootID = randomUUID();
/** While the self-test fails, it is tried again this often (someone may be fixing the machine). */
const selfTestRetryMs = 30_000;
const machine = readHostMachineConfig();
const hosts = new SandboxHosts(machine);

const stopping = new AbortController();
/** What to undo on the way out, newest first. */
const cleanups: (() => Promise<unknown>)[] = [];
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopping.abort());
// Logging is best effort: a reader that went away (its terminal closed) must not cut a cleanup short.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

async function start(): Promise<void> {
  // Before anything touches the machine: leftovers are removed with tools the preflight installs.
  await checkMachine(machine, {
    capacity: config.DOCA_AGENT_CAPACITY,
    agentListen: { host: config.DOCA_AGENT_HOST, port: config.DOCA_AGENT_PORT },
    onRepair: (check, problem) => log({ event: 'machine.repairing', check, problem }),
  });
  const removed = await removeLeftovers(hosts);
  if (removed.length > 0) log({ event: 'agent.leftovers_removed', hosts: removed });
  log({ event: 'machine.shared_files_charged', bytes: await chargeSharedFilesToMachine() });
  const services = await startMachineServices(machine, {
    imageStateDir: machine.DOCA_STATE_DIR,
    signal: stopping.signal,
    // A person at a terminal watches each image's line go from checking to built or cached; logs get JSON.
    onImageProgress: process.stdout.isTTY
      ? createProgressPrinter(process.stdout)
      : (event) => {
          if (event.type === 'image-done') log({ event: 'image.ready', image: event.result.name, status: event.result.status });
          // What the mirror held that the pins don't vouch for was removed: worth an operator's look.
          if (event.type === 'mirror-cleaned') log({ event: 'mirror.cleaned', removed: event.removed });
        },
  });
  cleanups.unshift(() => services.stop());
  cleanups.unshift(() => removeLeftovers(hosts));
  stopping.signal.throwIfAborted();

  // Passed steps go to the control plane at once; it keeps them for the learner. Each step's state
  // and the finished commands go too, for the learner's class.
  const reportTarget = config.DOCA_CONTROL_PLANE_URL
    ? { controlPlaneURL: config.DOCA_CONTROL_PLANE_URL, agentID: config.DOCA_AGENT_ID, agentKey: await importKey(agentKey, 'private') }
    : undefined;
  const progressReporter = reportTarget && new ProgressReporter({ ...reportTarget, log });
  const activityReporter = reportTarget && new ActivityReporter({ ...reportTarget, log });
  const live = new LiveSessions({
    sessions: new SandboxSessions(hosts, new AddressPool(machine.DOCA_BRIDGE_ADDRESS)),
    capacity: config.DOCA_AGENT_CAPACITY,
    warmPool: config.DOCA_WARM_POOL,
    limits: sessionLimitsOf(config),
    admission: new Admission(config.DOCA_AGENT_START_CONCURRENCY),
    labs,
    log,
    onStepsPassed: (passed) => void progressReporter?.report(passed),
    activity: activityReporter,
  });
  cleanups.unshift(() => live.close());
  // One sandbox made and removed before any learner's: a failure leaves the agent answering, with
  // capacity 0 and the reason in its heartbeat, and trying again until the machine is fixed.
  const checkSandboxes = async () => {
    const result = await selfTest(live.sessions);
    if (result.ok) {
      if (live.problem !== undefined) log({ event: 'self_test.recovered' });
      live.problem = undefined;
      log({ event: 'self_test.passed', ms: result.ms });
      void live.refillWarmPool();
    } else {
      if (live.problem !== result.problem) {
        console.error(`This machine cannot make sandboxes: ${result.problem}`);
        log({ event: 'self_test.failed', problem: result.problem });
      }
      live.problem = result.problem;
    }
  };
  await checkSandboxes();
  const selfTestRetry = setInterval(() => void (live.problem !== undefined && checkSandboxes()), selfTestRetryMs);
  cleanups.unshift(async () => clearInterval(selfTestRetry));
  stopping.signal.throwIfAborted();
  const controlPlaneKey = await importKey(config.DOCA_CONTROL_PLANE_KEY, 'public');
  const app = createAgentApp({ agentID: config.DOCA_AGENT_ID, controlPlaneKey, live, labs });
  const server = await serveAgent(app, config.DOCA_AGENT_HOST, config.DOCA_AGENT_PORT);
  cleanups.unshift(() => server.close());
  const reaper = setInterval(() => live.reap().catch((error) => log({ event: 'reap.failed', error: String(error) })), reapIntervalMs);
  cleanups.unshift(async () => clearInterval(reaper));
  stopping.signal.throwIfAborted();

  const { hostname: address, port } = new URL(server.url);
  log({ event: 'agent.listening', address, port: Number(port), url: server.url, agent: config.DOCA_AGENT_ID });
  void live.refillWarmPool().then(() => log({ event: 'warm_pool.ready', hosts: live.warmHosts }));
  if (config.DOCA_CONTROL_PLANE_URL) {
    const heartbeat = startHeartbeat({
      controlPlaneURL: config.DOCA_CONTROL_PLANE_URL,
      agentID: config.DOCA_AGENT_ID,
      agentKey: await importKey(agentKey, 'private'),
      log,
      report: () => ({
        url: config.DOCA_AGENT_URL ?? server.url,
        bootID,
        capacity: live.capacity,
        used: live.usedHosts,
        warm: live.warmHosts,
        problem: live.problem ?? null,
        sessions: live.keys(),
      }),
      // Sessions the control plane no longer knows (the learner left while theirs was starting) go.
      onAnswer: ({ remove }) => remove.forEach((key) => live.forget(key)),
    });
    cleanups.unshift(async () => heartbeat.stop());
  }
}

/** Undoes what the start did, newest first: learners are told their session ended, sandboxes go. */
async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch((error) => log({ event: 'agent.cleanup_failed', error: String(error) }));
}

async function exit(code: number): Promise<never> {
  await cleanUp();
  log({ event: 'agent.stopped' });
  process.exit(code);
}

installLastResort({ log, shutdown: cleanUp });

const started = start();
stopping.signal.addEventListener('abort', () => void started.catch(() => undefined).then(() => exit(0)), { once: true });
started.catch((error) => {
  if (stopping.signal.aborted) return;
  console.error(`The agent could not start: ${error instanceof Error ? error.message : String(error)}`);
  void exit(1);
});
