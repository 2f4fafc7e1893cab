// `npm run bench:checks` (root): how soon a lab step turns green after the learner's command
// finishes, measured where the page hears it: the `progress` message on the terminal WebSocket,
// through the agent's API. Each lab's solution is typed into its hosts' terminals, command by
// command; the time from the prompt coming back to the step's progress saying passed is one sample
// (0 when the step passed before the prompt came back). Measured alone, then again while 20 other
// learners work (each runs `docker version` and a container every few seconds in their terminal).
// The others hold one host each, with the lab's checks on it: their activity and their checks load
// the machine, and 20 two-host sessions would not pass this machine's disk check.
import { sessionSchema, type Session } from '../../protocol/agent.ts';
import type { TerminalServerMessage } from '../../protocol/terminal.ts';
import { labs } from '../../src/labs/index.ts';
import type { LabDefinition } from '../../src/labs/lab-definition.ts';
import { stateKinds } from '../../src/labs/checks/conditions.ts';
import { createAgentApp } from '../agent/app.ts';
import { LiveSessions } from '../agent/live-sessions.ts';
import { confirmHoldMs } from '../checks/lab-checks.ts';
import { serveAgent, type AgentServer } from '../agent/server.ts';
import { checkMachine, startMachineServices } from '../machine/machine.ts';
import { chargeSharedFilesToMachine } from '../machine/shared-files.ts';
import { controlPlaneToken, testAgentID, testControlPlaneKeys } from '../test-support/control-plane-token.ts';
import { openTerminal, type TestTerminal } from '../test-support/terminal-client.ts';
import { imageStateDir, sandboxSessions, testConfig } from '../test-support/test-machine.ts';

const others = Number(process.argv[2] ?? 20);
const lab = labs.get(process.argv[3] ?? 'arquitetura')!;

await checkMachine(testConfig, { capacity: lab.hosts + others });
const services = await startMachineServices(testConfig, { imageStateDir });
await chargeSharedFilesToMachine();
const live = new LiveSessions({ sessions: sandboxSessions, capacity: lab.hosts + others, labs, log: () => undefined });
const server: AgentServer = await serveAgent(createAgentApp({ agentID: testAgentID, controlPlaneKey: testControlPlaneKeys.publicKey, live, labs }), '127.0.0.1', 0);

async function newSession(): Promise<Session> {
  const response = await fetch(`${server.url}/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await controlPlaneToken('POST', '/sessions')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ lab: lab.id }),
  });
  return sessionSchema.parse(await response.json());
}

async function terminalOf(session: Session, host: string): Promise<TestTerminal> {
  const url = `${server.url.replace('http', 'ws')}/sessions/${session.id}/hosts/${host}/terminal`;
  const terminal = await openTerminal(url, { authorization: `Bearer ${await controlPlaneToken('GET', url)}` });
  await terminal.waitFor(/\$ /, 30_000);
  return terminal;
}

/** How many prompts a host's terminal has shown (its PS1 prints the host name, then a reset, then `:`). */
const prompts = (terminal: TestTerminal, host: string) => terminal.text.split(`${host}\x1b[0m:`).length - 1;

interface Sample {
  ms: number;
  /** The step's check reads the present, which must hold `confirmHoldMs` before the step passes. */
  present: boolean;
}

/** The lab's solution typed into its terminals; per step, ms from the prompt coming back to the step passed. */
async function solve(definition: LabDefinition): Promise<Sample[]> {
  const session = await newSession();
  const terminals = new Map<string, TestTerminal>();
  for (const host of new Set(definition.steps.flatMap((step) => step.solution.map((command) => command.host)))) terminals.set(host, await terminalOf(session, host));
  const samples: Sample[] = [];
  for (const step of definition.steps) {
    let finished = 0;
    for (const command of step.solution) {
      const terminal = terminals.get(command.host)!;
      const before = prompts(terminal, command.host);
      terminal.type(`${command.run}\r`);
      while (prompts(terminal, command.host) <= before) await new Promise((resolve) => setTimeout(resolve, 5));
      finished = performance.now();
    }
    const passed = (message: TerminalServerMessage) => message.type === 'progress' && message.steps.some((s) => s.step === step.id && s.status === 'passed');
    const terminal = terminals.get(step.solution.at(-1)!.host)!;
    const already = terminal.messages.some(passed);
    if (!already) await terminal.waitForMessage(passed, 30_000);
    samples.push({ ms: already ? 0 : performance.now() - finished, present: step.check.some((condition) => stateKinds.has(condition.kind)) });
  }
  for (const terminal of terminals.values()) terminal.close();
  await live.delete(session.id);
  return samples;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length - 1) * p))];
const stats = (values: number[]) => `p50 ${percentile(values, 0.5).toFixed(0)} ms, p95 ${percentile(values, 0.95).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms (${values.length} steps)`;
const summary = (samples: Sample[]) => {
  const did = samples.filter((sample) => !sample.present).map((sample) => sample.ms);
  const present = samples.filter((sample) => sample.present).map((sample) => sample.ms);
  return `steps that check what was done: ${stats(did)}; steps that check what is (held ${confirmHoldMs} ms first): ${stats(present)}`;
};

try {
  const alone = [...(await solve(lab)), ...(await solve(lab))];
  console.log(`Checks benchmark: lab ${lab.id}, its solution typed command by command; command finished → step passed on the terminal socket`);
  console.log(`alone: ${summary(alone)} — target p95 ≤ 500 ms`);

  // Others at work: each runs docker version and a container every few seconds in host1's terminal.
  const busy: TestTerminal[] = [];
  for (let i = 0; i < others; i++) {
    const created = await live.create(1, lab.id);
    if (!created.ok) throw new Error(`no session for another learner: ${created.message}`);
    const terminal = await terminalOf(created.value.session.view(), 'host1');
    terminal.type('while :; do docker version >/dev/null; docker run --rm busybox true; sleep 4; done\r');
    busy.push(terminal);
  }
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const loaded = [...(await solve(lab)), ...(await solve(lab))];
  console.log(`with ${others} other learners working: ${summary(loaded)} — target p95 ≤ 1000 ms`);
  busy.forEach((terminal) => terminal.close());
} finally {
  await server.close();
  await live.close();
  await services.stop();
}
