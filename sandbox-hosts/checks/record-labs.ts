// `npm run record:labs [lab…]` (root; DOCA_TEST_SLOT=<n> gives it a bridge and state of its own):
// records every lab of the catalog, or the ones named, in real sandboxes: a fresh session, the
// solution step by step, each wrong attempt. Each scenario becomes src/labs/<lab>/recordings/
// <scenario>.json, which src/labs/recordings.test.ts re-grades offline; recordings of scenarios the
// lab no longer has are removed. Exits 1 when a live check did not reach the verdict its scenario
// expects (the recording is written all the same: fix the check, and the offline test re-grades it).
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { labs } from '../../src/labs/index.ts';
import { recordingJSON, scenarioFile } from '../../src/labs/checks/recording.ts';
import { labScenarios, recordingsFolder } from '../../src/labs/lab-scenarios.ts';
import { LiveSessions } from '../agent/live-sessions.ts';
import { checkMachine, startMachineServices } from '../machine/machine.ts';
import { chargeSharedFilesToMachine } from '../machine/shared-files.ts';
import { imageStateDir, sandboxHosts, sandboxSessions, testConfig } from '../test-support/test-machine.ts';
import { recordScenario } from './lab-recorder.ts';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const named = process.argv.slice(2);
const unknown = named.filter((id) => !labs.has(id));
if (unknown.length > 0) {
  console.error(`No lab ${unknown.join(', ')} in the catalog (src/labs/index.ts): name one of ${[...labs.keys()].join(', ')}, or none for all.`);
  process.exit(2);
}
const chosen = named.length > 0 ? named.map((id) => labs.get(id)!) : [...labs.values()];
const capacity = Math.max(...chosen.map((lab) => lab.hosts));

await checkMachine(testConfig, { capacity, onRepair: (check, problem) => console.log(`Fixing "${check}": ${problem}…`) });
// Sandboxes a crashed run left in this slot's state.
for (const id of await sandboxHosts.ids()) await sandboxHosts.destroy(id);
await chargeSharedFilesToMachine();
const services = await startMachineServices(testConfig, { imageStateDir });
const live = new LiveSessions({ sessions: sandboxSessions, capacity, labs, log: () => undefined });
const doubts: string[] = [];
try {
  for (const lab of chosen) {
    const folder = `${repositoryRoot}${recordingsFolder(lab.id)}`;
    await mkdir(folder, { recursive: true });
    const files = labScenarios(lab).map(scenarioFile);
    for (const file of await readdir(folder)) if (file.endsWith('.json') && !files.includes(file)) await rm(`${folder}/${file}`);
    for (const scenario of labScenarios(lab)) {
      const started = performance.now();
      const made = await recordScenario(live, lab, scenario);
      const text = recordingJSON(made.recording);
      await writeFile(`${folder}/${scenarioFile(scenario)}`, text);
      doubts.push(...made.doubts);
      const { record, moments } = made.recording;
      console.log(
        `${recordingsFolder(lab.id)}/${scenarioFile(scenario)}: ${moments.length} moment(s), ${record.facts.length} facts, ${record.apiCalls.length} API calls, ${record.commands.length} commands, ` +
          `${moments.reduce((sum, moment) => sum + moment.state.length, 0)} state reads; ${(text.length / 1024).toFixed(1)} KiB in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  }
} finally {
  await live.close();
  await services.stop();
}
if (doubts.length > 0) {
  console.error(`The live checks disagreed with what the labs expect; these recordings will fail src/labs/recordings.test.ts until the checks or solutions are fixed:\n${doubts.map((doubt) => `  ${doubt}`).join('\n')}`);
  process.exit(1);
}
