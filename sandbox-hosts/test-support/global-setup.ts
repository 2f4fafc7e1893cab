// Prepares this machine for the sandbox tests: packages, the test bridge, the Docker Hub mirror with
// the lab images (built once, then cached) and stand-in, and clears sandboxes a crashed run left.
import { checkMachine, startMachineServices } from '../machine/machine.ts';
import { chargeSharedFilesToMachine } from '../machine/shared-files.ts';
import { imageStateDir, sandboxHosts, testConfig } from './test-machine.ts';

export default async function setup() {
  // The tests hold a handful of hosts at once.
  await checkMachine(testConfig, { capacity: 6, onRepair: (check, problem) => console.log(`Fixing "${check}": ${problem}…`) });
  for (const id of await sandboxHosts.ids()) await sandboxHosts.destroy(id);
  await chargeSharedFilesToMachine();
  const services = await startMachineServices(testConfig, {
    imageStateDir,
    onImageProgress: (event) => {
      if (event.type === 'image-done') console.log(`image ${event.result.name}: ${event.result.status} in ${event.result.seconds.toFixed(1)} s`);
    },
  });
  return () => services.stop();
}
