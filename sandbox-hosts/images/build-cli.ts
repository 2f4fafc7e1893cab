// The image pipeline's command line: `node sandbox-hosts/images/build-cli.ts --mirror HOST:PORT
// --state-dir DIR …` builds the lab images into a registry, with a line of progress per image.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildImages } from './build.ts';
import { catalog } from './catalog.ts';
import { createProgressPrinter, formatSummary } from './progress.ts';

const USAGE = `Usage: node sandbox-hosts/images/build-cli.ts --mirror HOST:PORT --state-dir DIR [--pins FILE] [--only NAME,NAME]

Builds Doca's lab images and pushes them to the registry at HOST:PORT as library/<name>:<tag>, recording the
digest of every tag pushed in FILE (default DIR/pins.json).
Images: ${catalog.map((image) => image.name).join(', ')}`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        mirror: { type: 'string' },
        'state-dir': { type: 'string' },
        pins: { type: 'string' },
        only: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.mirror || !values['state-dir']) {
    console.error(USAGE);
    return 2;
  }
  const controller = new AbortController();
  const interrupt = () => controller.abort(new Error('Interrupted: the builder was stopped'));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const report = await buildImages({
      mirror: values.mirror,
      stateDir: values['state-dir'],
      pins: values.pins ?? join(values['state-dir'], 'pins.json'),
      only: values.only?.split(',').map((name) => name.trim()).filter(Boolean),
      onProgress: createProgressPrinter(process.stdout),
      signal: controller.signal,
    });
    console.log(formatSummary(report));
    return 0;
  } catch (error) {
    console.error(`\n${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  process.exitCode = await main(process.argv.slice(2));
}
