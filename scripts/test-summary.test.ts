// Runs the real vitest and Playwright on tiny projects (a passing, a failing and a skipped test, a file
// that does not load, a beforeAll that throws, a web server that does not start) and checks what
// `npm test` makes of their reports and exit statuses.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSummary, summarizeRun, summarizeStep, type RunnerExit, type RunnerSummary } from './test-summary.mjs';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
// Inside the project so the fixture projects resolve its node_modules.
const fixturesRoot = join(projectRoot, '.test-tmp', `test-summary-${process.pid}`);

interface FixtureRun {
  reportFile: string;
  exit: RunnerExit;
}

/** Writes a project and runs one runner on it with its JSON reporter. */
function runFixture(runner: 'vitest' | 'playwright', name: string, files: Record<string, string>): Promise<FixtureRun> {
  const dir = join(fixturesRoot, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const reportFile = join(dir, 'report.json');
  // The runner under test must not think it runs inside this vitest.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  const args =
    runner === 'vitest'
      ? [join(projectRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir, '--reporter=json', `--outputFile.json=${reportFile}`]
      : [join(projectRoot, 'node_modules/@playwright/test/cli.js'), 'test', '--config', join(dir, 'playwright.config.mjs'), '--reporter=json'];
  const child = spawn(process.execPath, args, {
    cwd: dir,
    stdio: 'ignore',
    env: { ...env, FORCE_COLOR: '0', PLAYWRIGHT_JSON_OUTPUT_NAME: reportFile },
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ reportFile, exit: { status, signal } }));
  });
}

const vitestConfig = "export default { test: { include: ['*.test.ts'] } };\n";
const playwrightConfig = (extra = '') => `export default { testDir: '.', outputDir: 'results', workers: 1${extra} };\n`;

let vitestMixed: FixtureRun;
let vitestUnhandled: FixtureRun;
let vitestGlobalSetup: FixtureRun;
let playwrightMixed: FixtureRun;
let playwrightSyntax: FixtureRun;
let playwrightWebServer: FixtureRun;

beforeAll(async () => {
  [vitestMixed, vitestUnhandled, vitestGlobalSetup, playwrightMixed, playwrightSyntax, playwrightWebServer] = await Promise.all([
    runFixture('vitest', 'vitest-mixed', {
      'vitest.config.mjs': vitestConfig,
      'pass.test.ts': "import { expect, it } from 'vitest';\nit('adds', () => expect(1 + 1).toBe(2));\n",
      'fail.test.ts': "import { expect, it } from 'vitest';\nit('fails', () => expect(1 + 1).toBe(3));\n",
      'skip.test.ts':
        "import { expect, it } from 'vitest';\nit.skip('is skipped', () => {});\nit.todo('is to do');\nit('runs', () => expect(1).toBe(1));\n",
      'syntax.test.ts': "import { it } from 'vitest';\nit('never loads', () => {\n",
      'throws-on-load.test.ts': "import { it } from 'vitest';\nthrow new Error('broken at import');\nit('never runs', () => {});\n",
      'before-all.test.ts':
        "import { beforeAll, describe, it } from 'vitest';\ndescribe('group', () => {\n  beforeAll(() => { throw new Error('setup failed'); });\n  it('first', () => {});\n  it('second', () => {});\n});\n",
    }),
    runFixture('vitest', 'vitest-unhandled', {
      'vitest.config.mjs': vitestConfig,
      'late.test.ts':
        "import { it } from 'vitest';\nit('leaves an error behind', () => { setTimeout(() => { throw new Error('late'); }, 0); });\nit('waits', () => new Promise((resolve) => setTimeout(resolve, 100)));\n",
    }),
    runFixture('vitest', 'vitest-global-setup', {
      'vitest.config.mjs': "export default { test: { include: ['*.test.ts'], globalSetup: ['./setup.mjs'] } };\n",
      'setup.mjs': "export default () => { throw new Error('machine not ready'); };\n",
      'pass.test.ts': "import { it } from 'vitest';\nit('adds', () => {});\n",
    }),
    runFixture('playwright', 'playwright-mixed', {
      'playwright.config.mjs': playwrightConfig(),
      'pass.spec.ts': "import { expect, test } from '@playwright/test';\ntest('adds', () => expect(1 + 1).toBe(2));\n",
      'fail.spec.ts': "import { expect, test } from '@playwright/test';\ntest('fails', () => expect(1 + 1).toBe(3));\n",
      'skip.spec.ts': "import { test } from '@playwright/test';\ntest.skip('is skipped', () => {});\ntest('runs', () => {});\n",
      'before-all.spec.ts':
        "import { test } from '@playwright/test';\ntest.describe('group', () => {\n  test.beforeAll(() => { throw new Error('setup failed'); });\n  test('first', () => {});\n  test('second', () => {});\n});\n",
    }),
    runFixture('playwright', 'playwright-syntax', {
      'playwright.config.mjs': playwrightConfig(),
      'pass.spec.ts': "import { test } from '@playwright/test';\ntest('adds', () => {});\n",
      'syntax.spec.ts': "import { test } from '@playwright/test';\ntest('never loads', () => {\n",
    }),
    runFixture('playwright', 'playwright-web-server', {
      'playwright.config.mjs': playwrightConfig(
        ", webServer: { command: 'node -e \"process.exit(3)\"', url: 'http://127.0.0.1:9/health', timeout: 20000 }",
      ),
      'pass.spec.ts': "import { test } from '@playwright/test';\ntest('adds', () => {});\n",
    }),
  ]);
}, 120_000);
afterAll(() => rmSync(fixturesRoot, { recursive: true, force: true }));

const fixtureFile = (fixture: string, file: string) => join('.test-tmp', `test-summary-${process.pid}`, fixture, file);

describe('a vitest report', () => {
  it('counts passed and failed tests, and each file that failed outside its tests as one failure', () => {
    const summary = summarizeRun({ runner: 'vitest', ...vitestMixed, floor: 0 });
    expect(vitestMixed.exit.status).toBe(1);
    expect(summary).toMatchObject({ runner: 'vitest', passed: 2, failed: 4 });
    expect(summary.problems).toHaveLength(3);
  });

  it('names a file that does not parse, and one that throws while loading', () => {
    const { problems } = summarizeRun({ runner: 'vitest', ...vitestMixed, floor: 0 });
    expect(problems).toContainEqual(expect.stringMatching(`^${escape(fixtureFile('vitest-mixed', 'syntax.test.ts'))} did not load: Transform failed`));
    expect(problems).toContainEqual(`${fixtureFile('vitest-mixed', 'throws-on-load.test.ts')} did not load: broken at import`);
  });

  it('counts a beforeAll that throws as a failure, and the tests it kept from running as skipped', () => {
    const { problems, skipped } = summarizeRun({ runner: 'vitest', ...vitestMixed, floor: 0 });
    const file = fixtureFile('vitest-mixed', 'before-all.test.ts');
    expect(problems).toContainEqual(`${file} failed outside its tests (a beforeAll or afterAll hook threw)`);
    expect(skipped).toEqual(
      expect.arrayContaining([`${file} › group › first`, `${file} › group › second`]),
    );
  });

  it('names skipped and to-do tests', () => {
    const { skipped } = summarizeRun({ runner: 'vitest', ...vitestMixed, floor: 0 });
    const file = fixtureFile('vitest-mixed', 'skip.test.ts');
    expect(skipped).toHaveLength(4);
    expect(skipped).toEqual(expect.arrayContaining([`${file} › is skipped`, `${file} › is to do`]));
  });

  it('counts a non-zero exit as a failure when the report shows none (an error outside any test)', () => {
    expect(vitestUnhandled.exit.status).toBe(1);
    const summary = summarizeRun({ runner: 'vitest', ...vitestUnhandled, floor: 0 });
    expect(summary).toMatchObject({ passed: 2, failed: 1, skipped: [] });
    expect(summary.problems).toEqual(['exited with status 1, although its report shows no failure: see its output above']);
  });

  it('counts a global setup that throws, which leaves an empty report, by the floor or else by the exit', () => {
    const belowFloor = summarizeRun({ runner: 'vitest', ...vitestGlobalSetup, floor: 1 });
    expect(belowFloor).toMatchObject({ passed: 0, failed: 1 });
    expect(belowFloor.problems).toEqual([expect.stringMatching(/^ran 0 tests, fewer than its floor of 1: /)]);
    const noFloor = summarizeRun({ runner: 'vitest', ...vitestGlobalSetup, floor: 0 });
    expect(noFloor.problems).toEqual(['exited with status 1, although its report shows no failure: see its output above']);
  });
});

describe('a Playwright report', () => {
  it('counts passed and failed tests; a beforeAll that throws fails its first test and skips the rest', () => {
    expect(playwrightMixed.exit.status).toBe(1);
    const summary = summarizeRun({ runner: 'playwright', ...playwrightMixed, floor: 0 });
    expect(summary).toMatchObject({ runner: 'playwright', passed: 2, failed: 2, problems: [] });
    expect(summary.skipped.toSorted()).toEqual(['before-all.spec.ts › group › second (did not run)', 'skip.spec.ts › is skipped']);
  });

  it('counts a file that does not load as a failure, though no test ran', () => {
    expect(playwrightSyntax.exit.status).toBe(1);
    const summary = summarizeRun({ runner: 'playwright', ...playwrightSyntax, floor: 0 });
    expect(summary).toMatchObject({ passed: 0, failed: 1 });
    expect(summary.problems).toEqual([expect.stringMatching(/^SyntaxError: .*syntax\.spec\.ts: Unexpected token/)]);
  });

  it('counts a web server that does not start as a failure', () => {
    expect(playwrightWebServer.exit.status).toBe(1);
    const summary = summarizeRun({ runner: 'playwright', ...playwrightWebServer, floor: 0 });
    expect(summary).toMatchObject({ passed: 0, failed: 1 });
    expect(summary.problems).toEqual(['Error: Process from config.webServer was not able to start. Exit code: 3']);
  });
});

describe('any runner', () => {
  it('counts a missing report as one failure, even after a zero exit', () => {
    const reportFile = join(fixturesRoot, 'no-such-report.json');
    const summary = summarizeRun({ runner: 'vitest', reportFile, exit: { status: 0 }, floor: 0 });
    expect(summary).toMatchObject({ passed: 0, failed: 1 });
    expect(summary.problems).toEqual([expect.stringMatching(`^wrote no usable report at ${escape(reportFile)} \\(ENOENT`)]);
  });

  it('counts a report that is not JSON, or not its runner\'s, as one failure', () => {
    const truncated = join(fixturesRoot, 'truncated.json');
    writeFileSync(truncated, '{"testResults": [');
    expect(summarizeRun({ runner: 'vitest', reportFile: truncated, exit: { status: 0 }, floor: 0 })).toMatchObject({ passed: 0, failed: 1 });
    const wrongRunner = summarizeRun({ runner: 'playwright', ...vitestUnhandled, exit: { status: 0 }, floor: 0 });
    expect(wrongRunner).toMatchObject({ passed: 0, failed: 1 });
    expect(wrongRunner.problems).toEqual([expect.stringMatching(/\(unexpected shape at suites\)$/)]);
  });

  it('counts running fewer tests than the floor as a failure, and reaching it as none', () => {
    const below = summarizeRun({ runner: 'vitest', ...vitestMixed, floor: 4 });
    expect(below.problems).toContainEqual(expect.stringMatching(/^ran 3 tests, fewer than its floor of 4: /));
    expect(below.failed).toBe(5);
    const reached = summarizeRun({ runner: 'vitest', ...vitestMixed, floor: 3 });
    expect(reached.problems.filter((problem) => problem.includes('floor'))).toEqual([]);
    expect(reached.failed).toBe(4);
  });

  it('counts a runner killed by a signal, or that did not start, as a failure', () => {
    const clean = { runner: 'vitest', reportFile: vitestUnhandled.reportFile, floor: 0 } as const;
    expect(summarizeRun({ ...clean, exit: { status: null, signal: 'SIGKILL' } }).problems).toEqual([
      'was killed by SIGKILL, although its report shows no failure: see its output above',
    ]);
    expect(summarizeRun({ ...clean, exit: { status: null, error: new Error('spawn vitest ENOENT') } }).failed).toBe(1);
  });

  it('counts a step without a report, such as the build, by its exit status', () => {
    expect(summarizeStep('astro build', { status: 1 })).toEqual({ runner: 'astro build', passed: 0, failed: 1, skipped: [], problems: ['exited with status 1'] });
    expect(summarizeStep('astro build', { status: 0 }).failed).toBe(0);
  });
});

describe('the summary lines', () => {
  const vitest: RunnerSummary = { runner: 'vitest', passed: 290, failed: 1, skipped: ['a.test.ts › waits'], problems: ['b.test.ts did not load: boom'] };
  const playwright: RunnerSummary = { runner: 'playwright', passed: 66, failed: 0, skipped: [], problems: [] };

  it('name problems and skipped tests, give one line per runner, and end with the total alone', () => {
    expect(formatSummary([vitest, playwright])).toEqual([
      'vitest failed: b.test.ts did not load: boom',
      'vitest skipped: a.test.ts › waits',
      'vitest: 290 passed, 1 failed, 1 skipped',
      'playwright: 66 passed, 0 failed, 0 skipped',
      '356 passed, 1 failed',
    ]);
  });

  it('name the first skipped tests and count the rest', () => {
    const many = { ...playwright, skipped: ['a', 'b', 'c'] };
    expect(formatSummary([many], 2)).toEqual([
      'playwright skipped: a',
      'playwright skipped: b',
      'playwright skipped: … and 1 more',
      'playwright: 66 passed, 0 failed, 3 skipped',
      '66 passed, 0 failed',
    ]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
