// `npm start`: builds the site, runs this machine's sandbox-host agent (which sets the machine up:
// packages, bridge, lab images, registries), then serves the site and the control plane with
// wrangler dev. Ctrl+C stops everything it started; the agent first removes its sandbox hosts.
// `--no-build` serves the dist/ already built; `--site-only` serves the site and the control plane
// without a sandbox host, and so without root.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { limitSettingNames } from '../worker/limits/setting-names.ts';
import { newKeyPair } from './keys.mjs';
import { portFromEnv, wranglerEnv } from './local-env.mjs';

/** A first start builds the lab images (about 3 minutes); later starts take seconds. */
const agentReadyTimeoutMs = 10 * 60_000;
const agentEntry = fileURLToPath(new URL('../sandbox-hosts/agent/main.ts', import.meta.url));
const doctorEntry = fileURLToPath(new URL('../sandbox-hosts/machine/doctor.ts', import.meta.url));
const siteOnlyHint = 'serve the site alone with `npm start -- --site-only`';

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== '--no-build' && arg !== '--site-only');
if (unknown.length > 0) {
  console.error(`npm start takes --no-build and --site-only, not ${unknown.join(' ')}.`);
  process.exit(2);
}
const siteOnly = args.includes('--site-only');
const port = portFromEnv('PORT', 8787);
const env = { ...process.env, ...wranglerEnv, ASTRO_TELEMETRY_DISABLED: '1' };

if (!siteOnly && process.getuid() !== 0) {
  console.error(`The sandbox host needs root: run \`sudo npm start\` (or \`npm start\` as root), or ${siteOnlyHint}.`);
  process.exit(1);
}

// The machine's prerequisites first (packages, /dev/net/tun, kernel settings, disk, ports): repaired
// where safe, otherwise one line each naming the fix, before anything else is started.
if (!siteOnly) {
  const doctor = spawnSync(process.execPath, [doctorEntry, '--fix', '--quiet'], { stdio: 'inherit', env });
  if (doctor.status !== 0) {
    console.error(`This machine cannot hold sandbox hosts yet (see above; \`npm run doctor\` shows every check), or ${siteOnlyHint}.`);
    process.exit(1);
  }
}

if (!args.includes('--no-build')) {
  const build = spawnSync('astro', ['build'], { stdio: 'inherit', env });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// The local D1 database and Durable Objects live in DOCA_LOCAL_STATE (wrangler's own default when
// unset), so a test's platform keeps apart from the one `npm start` serves. The database gets the
// numbered migrations it hasn't had yet.
const persist = process.env.DOCA_LOCAL_STATE ? ['--persist-to', process.env.DOCA_LOCAL_STATE] : [];
const migrate = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', ...persist], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...env, CI: '1' } });
if (migrate.status !== 0) {
  console.error(`The local database migrations failed${migrate.error ? `: ${migrate.error.message}` : ''}.`);
  process.exit(migrate.status ?? 1);
}

// Keys: the control plane and this machine's agent each get a key pair made for this run. The
// agent gets its private key (through a private file) and the control plane's public key; the
// control plane gets its private key and the agent's public key (AGENT_KEYS). Tools that call an
// agent themselves (the lab benchmark, the browser tests) pass CONTROL_PLANE_KEY and DOCA_AGENT_KEY
// in, and AGENT_KEYS for agents of their own. The cookie secret stays with the local database, so a
// learner's browser is still theirs after a restart. Secrets reach wrangler through a private file,
// not its command line.
const agentID = process.env.DOCA_AGENT_ID || 'local';
const controlPlaneKey = process.env.CONTROL_PLANE_KEY ? JSON.parse(process.env.CONTROL_PLANE_KEY) : newKeyPair().privateKey;
const agentKey = process.env.DOCA_AGENT_KEY ? JSON.parse(process.env.DOCA_AGENT_KEY) : newKeyPair().privateKey;
/** The public half of a private JWK: everything but `d`. */
const publicOf = ({ d: _private, ...publicKey }) => publicKey;
const agentKeys = { ...(process.env.AGENT_KEYS ? JSON.parse(process.env.AGENT_KEYS) : {}), ...(siteOnly ? {} : { [agentID]: publicOf(agentKey) }) };
const cookieSecretFile = '.wrangler/doca-cookie-secret';
if (!existsSync(cookieSecretFile)) {
  mkdirSync('.wrangler', { recursive: true });
  writeFileSync(cookieSecretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
}
const secretsDir = mkdtempSync(join(tmpdir(), 'doca-'));
const secretsFile = join(secretsDir, 'dev.vars');
const cookieSecret = readFileSync(cookieSecretFile, 'utf8').trim();
// The abuse limits and the class retention (wrangler.toml [vars]) can be set for one run from the environment.
const limitOverrides = [...limitSettingNames, 'CLASS_RETENTION_DAYS']
  .filter((name) => process.env[name] !== undefined)
  .map((name) => `${name}=${JSON.stringify(process.env[name])}\n`)
  .join('');
writeFileSync(secretsFile, `CONTROL_PLANE_KEY='${JSON.stringify(controlPlaneKey)}'\nAGENT_KEYS='${JSON.stringify(agentKeys)}'\nCOOKIE_SECRET=${cookieSecret}\n${limitOverrides}`, { mode: 0o600 });
const agentKeyFile = join(secretsDir, 'agent-key.json');
writeFileSync(agentKeyFile, JSON.stringify(agentKey), { mode: 0o600 });
process.on('exit', () => rmSync(secretsDir, { recursive: true, force: true }));

/** Running children by name; the script exits once none is left after a stop. */
const children = new Map();
let stopping = false;
let exitCode = 0;

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(0));

if (!siteOnly) await startAgent();
if (!stopping) startServer();

async function startAgent() {
  const agentPort = portFromEnv('DOCA_AGENT_PORT', 7070);
  const agentHost = process.env.DOCA_AGENT_HOST || '127.0.0.1';
  const probeHost = agentHost === '0.0.0.0' ? '127.0.0.1' : agentHost;
  console.log('Starting the sandbox-host agent (the first start builds the lab images, about 3 minutes)…');
  // Its own process group, so it hears a stop once, from here. --pdeathsig (here and for wrangler)
  // stops it, cleanly, if this script is killed outright.
  const agent = spawn('setpriv', ['--pdeathsig', 'SIGTERM', process.execPath, agentEntry], {
    detached: true,
    stdio: 'inherit',
    env: agentEnv(),
  });
  watch('agent', agent, 'the sandbox-host agent');
  const deadline = Date.now() + agentReadyTimeoutMs;
  while (children.has('agent') && !stopping) {
    if (await answers(probeHost, agentPort)) {
      console.log(`Sandbox-host agent: http://${agentHost}:${agentPort}/`);
      return;
    }
    if (Date.now() > deadline) {
      console.error(`The sandbox-host agent was not ready after ${agentReadyTimeoutMs / 60_000} minutes (its output is above); stopping it.`);
      return stop(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function startServer() {
  const wrangler = ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--show-interactive-dev-session=false', '--env-file', secretsFile, ...persist];
  const server = spawn('setpriv', ['--pdeathsig', 'SIGTERM', ...wrangler], { stdio: 'inherit', env });
  watch('server', server, 'wrangler dev');
  console.log(`Doca: http://127.0.0.1:${port}/ (pt-BR) and http://127.0.0.1:${port}/en/ (English). Ctrl+C stops it.`);
}

/** The agent's environment: its own key (a file it reads once), the control plane's public key, none of the control plane's secrets. */
function agentEnv() {
  const { CONTROL_PLANE_KEY: _signing, AGENT_KEYS: _registry, DOCA_AGENT_KEY: _inline, ...rest } = process.env;
  return {
    ...rest,
    DOCA_AGENT_KEY_FILE: agentKeyFile,
    DOCA_CONTROL_PLANE_KEY: JSON.stringify(publicOf(controlPlaneKey)),
    DOCA_CONTROL_PLANE_URL: `http://127.0.0.1:${port}`,
  };
}

/** If a child ends on its own, everything stops with an error; once all are gone, the script exits. */
function watch(name, child, label) {
  children.set(name, child);
  child.once('error', (error) => console.error(`${label} did not start: ${error.message}.`));
  child.once('close', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`${label} exited (${signal ?? `code ${code}`}).`);
      stop(1);
    } else if (code && name === 'agent') {
      exitCode ||= code; // its cleanup failed; wrangler's status after a stop says nothing
    }
    if (children.size === 0) process.exit(exitCode);
  });
}

function stop(code) {
  exitCode ||= code;
  if (stopping) return;
  stopping = true;
  if (children.has('agent')) console.log('Stopping: the sandbox-host agent removes its sandbox hosts and services…');
  for (const child of children.values()) child.kill('SIGTERM');
  if (children.size === 0) process.exit(exitCode);
}

/** Whether something accepts TCP connections on host:port. */
function answers(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    const done = (result) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
