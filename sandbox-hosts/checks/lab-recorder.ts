// Records one scenario of a lab in a real session (a fresh one, the solution step by step, a wrong
// attempt): the commands typed into the hosts' terminals as the learner types them (so the shell's
// hook reports them as finished commands), the session's record as its checks hold it, and at
// each moment every answer the lab's conditions get from the present. Before each moment it waits
// for the live check's verdict (a step passed, a step failing with the attempt's reason) and for
// the record to settle, so the recording holds everything that verdict was made from.
import type { LabDefinition } from '../../src/labs/lab-definition.ts';
import { captureState } from '../../src/labs/checks/recorded-state.ts';
import { recordingFormat, type RecordedMoment, type Recording, type Scenario } from '../../src/labs/checks/recording.ts';
import { scenarioMoments } from '../../src/labs/lab-scenarios.ts';
import type { StepProgress } from '../../protocol/progress.ts';
import type { LiveSessions } from '../agent/live-sessions.ts';
import { typeCommands } from '../test-support/typed-commands.ts';
import type { LabChecks } from './lab-checks.ts';
import { engineStateReader } from './state-reader.ts';

export interface ScenarioRecording {
  recording: Recording;
  /** Live verdicts that did not come: the recording will not re-grade as the lab expects. */
  doubts: string[];
}

export interface RecorderOptions {
  /** How long the live check may take to reach the verdict a moment expects. */
  verdictTimeoutMs?: number;
}

/** The record has settled once nothing has been added to it for this long. */
const quietMs = 500;
const maxSettleMs = 10_000;

export async function recordScenario(live: LiveSessions, lab: LabDefinition, scenario: Scenario, options: RecorderOptions = {}): Promise<ScenarioRecording> {
  const created = await live.create(lab.hosts, lab.id);
  if (!created.ok) throw new Error(`lab ${lab.id}: no session (${created.code}: ${created.message})`);
  const session = created.value.session;
  try {
    const checks = session.checks!;
    const state = engineStateReader(session.record.hosts);
    const doubts: string[] = [];
    const moments: RecordedMoment[] = [];
    for (const [index, ran] of scenarioMoments(lab, scenario).entries()) {
      await typeCommands(session, ran);
      const doubt = await awaitVerdict(checks, lab, scenario, index, options.verdictTimeoutMs ?? 60_000);
      if (doubt) doubts.push(doubt);
      const seen = await settled(checks);
      const reads = await captureState(lab.steps, prefix(checks, seen), state);
      moments.push({ ran, seen, state: reads });
    }
    // What happened after the last moment is read by no grading.
    const record = prefix(checks, moments.at(-1)!.seen);
    return { recording: { format: recordingFormat, lab: lab.id, steps: lab.steps.map((step) => step.id), scenario, record: { facts: [...record.facts], apiCalls: [...record.apiCalls], commands: [...record.commands], daemonRestarts: [...record.daemonRestarts] }, moments }, doubts };
  } finally {
    await live.delete(session.id);
  }
}

/** The verdict the live check should reach at the moment; a doubt when it does not within the time. */
async function awaitVerdict(checks: LabChecks, lab: LabDefinition, scenario: Scenario, index: number, timeoutMs: number): Promise<string | undefined> {
  let step: string;
  let wanted: (progress: StepProgress) => boolean;
  let expected: string;
  if (scenario.kind === 'solution') {
    step = lab.steps[index].id;
    wanted = (progress) => progress.status === 'passed';
    expected = 'passed';
  } else if (scenario.kind === 'wrong-attempt') {
    const attempt = lab.wrongAttempts.find((candidate) => candidate.id === scenario.attempt)!;
    step = attempt.step;
    wanted = (progress) => progress.status === 'failed' && progress.reason?.code === attempt.reason;
    expected = `failed with ${attempt.reason}`;
  } else {
    await checks.checkNow();
    return undefined;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Checked now and then too: the checks evaluate when the daemons report something, and a container may die quietly.
    const progress = (await checks.checkNow()).find((candidate) => candidate.step === step)!;
    if (wanted(progress)) return undefined;
    if (Date.now() > deadline) {
      const seen = progress.status === 'passed' ? 'passed' : `${progress.status}${progress.reason ? ` with ${progress.reason.code}` : ''}`;
      return `lab ${lab.id}, ${scenario.kind}${scenario.kind === 'wrong-attempt' ? ` ${scenario.attempt}` : ''}: step ${step} should have ${expected} but was ${seen} after ${timeoutMs / 1000} s`;
    }
    await sleep(500);
  }
}

/** How much of the record there is once nothing has been added to it for `quietMs`. */
async function settled(checks: LabChecks): Promise<RecordedMoment['seen']> {
  const count = (): RecordedMoment['seen'] => ({
    facts: checks.record.facts.length,
    apiCalls: checks.record.apiCalls.length,
    commands: checks.record.commands.length,
    daemonRestarts: checks.record.daemonRestarts.length,
  });
  const deadline = Date.now() + maxSettleMs;
  let last = count();
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs && Date.now() < deadline) {
    await sleep(100);
    const now = count();
    if (JSON.stringify(now) !== JSON.stringify(last)) [last, quietSince] = [now, Date.now()];
  }
  return last;
}

function prefix(checks: LabChecks, seen: RecordedMoment['seen']) {
  const { facts, apiCalls, commands, daemonRestarts } = checks.record;
  return {
    facts: facts.slice(0, seen.facts),
    apiCalls: apiCalls.slice(0, seen.apiCalls),
    commands: commands.slice(0, seen.commands),
    daemonRestarts: daemonRestarts.slice(0, seen.daemonRestarts),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
