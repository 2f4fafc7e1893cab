// `npm test`: builds the site, runs every test runner (vitest: unit + workerd; Playwright: Chromium)
// and ends with one line summing them all: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, ensureDebianPackages } from './os-packages.mjs';
import { wranglerEnv } from './local-env.mjs';

const resultsDir = '.test-results';
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
ensureDebianPackages([chromium]);

const env = { ...process.env, ...wranglerEnv, ASTRO_TELEMETRY_DISABLED: '1' };
const run = (command, args, extraEnv = {}) =>
  spawnSync(command, args, { stdio: 'inherit', env: { ...env, ...extraEnv } }).status;

/** @type {{ runner: string; passed: number; failed: number }[]} */
const totals = [];

if (run('astro', ['build']) !== 0) {
  totals.push({ runner: 'astro build', passed: 0, failed: 1 });
} else {
  const vitestJSON = join(resultsDir, 'vitest.json');
  run('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJSON}`]);
  totals.push(
    readCounts('vitest', vitestJSON, (report) => ({ passed: report.numPassedTests, failed: report.numFailedTests })),
  );

  const playwrightJSON = join(resultsDir, 'playwright.json');
  run('playwright', ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJSON });
  totals.push(
    readCounts('playwright', playwrightJSON, ({ stats }) => ({
      passed: stats.expected + stats.flaky,
      failed: stats.unexpected,
    })),
  );
}

for (const { runner, passed, failed } of totals) console.log(`${runner}: ${passed} passed, ${failed} failed`);
const passed = totals.reduce((sum, t) => sum + t.passed, 0);
const failed = totals.reduce((sum, t) => sum + t.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

/** A runner that crashed before writing its report counts as one failure. */
function readCounts(runner, file, pick) {
  try {
    const counts = pick(JSON.parse(readFileSync(file, 'utf8')));
    if (!Number.isInteger(counts.passed) || !Number.isInteger(counts.failed)) throw new Error('counts missing');
    return { runner, ...counts };
  } catch (error) {
    console.error(`${runner} wrote no usable report (${error.message}); counting it as one failure.`);
    return { runner, passed: 0, failed: 1 };
  }
}
