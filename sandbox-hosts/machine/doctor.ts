// `npm run doctor`: checks this machine for everything a sandbox host needs and prints a table.
// `--fix` repairs what is safe to repair (as root): missing packages, /dev/net/tun's mode, stock
// kernel settings. `--tests` adds the browser tests' packages; `--quiet` prints only what is wrong
// or was fixed (`npm start` runs it that way first). Exits 1 while a problem remains.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { agentConfigSchema } from '../agent/config.ts';
import { readHostMachineConfig } from './config.ts';
import { sandboxHostPackages, testPackages } from './packages.ts';
import { formatProblems, formatTable, problemsOf, realProbe, runPreflight } from './preflight/index.ts';

const { values: flags } = parseArgs({
  options: { fix: { type: 'boolean', default: false }, tests: { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false } },
});

const agent = agentConfigSchema.pick({ DOCA_AGENT_CAPACITY: true, DOCA_AGENT_HOST: true, DOCA_AGENT_PORT: true }).safeParse(process.env);
let config;
try {
  if (!agent.success) throw new Error(`Invalid agent configuration: ${z.prettifyError(agent.error)}`);
  config = readHostMachineConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const outcomes = await runPreflight(
  {
    probe: realProbe,
    config,
    capacity: agent.data.DOCA_AGENT_CAPACITY,
    agentListen: { host: agent.data.DOCA_AGENT_HOST, port: agent.data.DOCA_AGENT_PORT },
    packages: flags.tests ? [...sandboxHostPackages, ...testPackages] : sandboxHostPackages,
  },
  { fix: flags.fix, onRepair: (check, found) => console.log(`Fixing "${check}": ${found}…`) },
);

if (flags.quiet) {
  for (const outcome of outcomes.filter((o) => o.state === 'fixed')) console.log(`Machine check "${outcome.name}": ${outcome.detail}.`);
  if (problemsOf(outcomes).length > 0) console.error(formatProblems(outcomes));
} else {
  console.log(formatTable(outcomes));
}
process.exit(problemsOf(outcomes).length > 0 ? 1 : 0);
