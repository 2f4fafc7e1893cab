// `npm test`: builds the site, runs every test runner (vitest: unit, workerd and sandbox; Playwright:
// Chromium), prints per runner its passed, failed and skipped tests, and ends with one line summing
// them all: `N passed, N failed`. Anything that did not run counts as failed (scripts/test-summary.mjs).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { testPackages } from '../sandbox-hosts/machine/packages.ts';
import { formatProblems, preflightChecks, problemsOf, realProbe, runPreflight } from '../sandbox-hosts/machine/preflight/index.ts';
import { wranglerEnv } from './local-env.mjs';
import { formatSummary, summarizeRun, summarizeStep } from './test-summary.mjs';

/**
 * The fewest tests each runner must run, a little below what the test files hold today (vitest about 760,
 * Playwright 84): fewer means a file, a project or generated tests silently went missing. Raise
 * them as tests are added; lower them only when tests are removed on purpose.
 */
const floors = { vitest: 700, playwright: 82 };

const resultsDir = '.test-results';
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
// The browser tests' packages, from the one package list, installed the way the machine preflight
// installs the sandbox host's (the sandbox tests' own setup runs the whole preflight).
const packagesCheck = preflightChecks.filter((check) => check.name === 'packages');
const browserPackages = await runPreflight({ probe: realProbe, config: undefined, capacity: 0, packages: testPackages }, { fix: true, checks: packagesCheck });
if (problemsOf(browserPackages).length > 0) {
  console.error(formatProblems(browserPackages));
  process.exit(1);
}

const env = { ...process.env, ...wranglerEnv, ASTRO_TELEMETRY_DISABLED: '1' };
const run = (command, args, extraEnv = {}) => spawnSync(command, args, { stdio: 'inherit', env: { ...env, ...extraEnv } });

/** @type {import('./test-summary.mjs').RunnerSummary[]} */
const summaries = [];

const build = run('astro', ['build']);
if (build.status !== 0) {
  summaries.push(summarizeStep('astro build', build));
} else {
  const vitestReport = join(resultsDir, 'vitest.json');
  const vitest = run('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`]);
  summaries.push(summarizeRun({ runner: 'vitest', reportFile: vitestReport, exit: vitest, floor: floors.vitest }));

  const playwrightReport = join(resultsDir, 'playwright.json');
  const playwright = run('playwright', ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport });
  summaries.push(summarizeRun({ runner: 'playwright', reportFile: playwrightReport, exit: playwright, floor: floors.playwright }));
}

console.log(formatSummary(summaries).join('\n'));
const failed = summaries.some((summary) => summary.failed > 0);
const passed = summaries.some((summary) => summary.passed > 0);
process.exit(!failed && passed ? 0 : 1);
