// Turns one test runner's JSON report, exit status and floor into what `npm test` prints: passed,
// failed and skipped tests, and the problems (a file that did not load, a hook that threw, a web
// server that did not start, a report that is missing, too few tests) that count as failures.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { z } from 'zod';

/**
 * @typedef {object} RunnerSummary
 * @property {string} runner
 * @property {number} passed
 * @property {number} failed failed tests plus problems
 * @property {string[]} skipped names of the tests that did not run
 * @property {string[]} problems failures outside any one test, one line each
 */

/** @typedef {{ status: number | null; signal?: NodeJS.Signals | null; error?: Error }} RunnerExit */

/** @typedef {{ passed: number; failedTests: number; skipped: string[]; problems: string[] }} ReportCounts */

const vitestReport = z.object({
  testResults: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      message: z.string(),
      assertionResults: z.array(z.object({ ancestorTitles: z.array(z.string()), title: z.string(), status: z.string() })),
    }),
  ),
});

const playwrightSuite = z.object({
  title: z.string(),
  specs: z.array(
    z.object({
      title: z.string(),
      tests: z.array(z.object({ status: z.enum(['expected', 'unexpected', 'flaky', 'skipped']), expectedStatus: z.string() })),
    }),
  ),
  get suites() {
    return z.array(playwrightSuite).optional();
  },
});

const playwrightReport = z.object({
  suites: z.array(playwrightSuite),
  errors: z.array(z.object({ message: z.string() })),
});

/** How to check and count each runner's report. */
const readers = {
  vitest: { schema: vitestReport, count: countVitest },
  playwright: { schema: playwrightReport, count: countPlaywright },
};

/**
 * @param {{ runner: keyof typeof readers; reportFile: string; exit: RunnerExit; floor: number }} run
 *   `floor`: the fewest tests the runner must run (pass or fail) for the run to count.
 * @returns {RunnerSummary}
 */
export function summarizeRun({ runner, reportFile, exit, floor }) {
  const { schema, count } = readers[runner];
  const read = readReport(reportFile, schema);
  /** @type {ReportCounts} */
  const counts = read.ok
    ? count(read.report)
    : { passed: 0, failedTests: 0, skipped: [], problems: [`wrote no usable report at ${reportFile} (${read.reason})`] };
  const ran = counts.passed + counts.failedTests;
  if (read.ok && ran < floor) {
    counts.problems.push(
      `ran ${ran} tests, fewer than its floor of ${floor}: a test file or project did not run (if tests were removed on purpose, lower the floor in scripts/test.mjs)`,
    );
  }
  if (exitedBadly(exit) && counts.failedTests + counts.problems.length === 0) {
    counts.problems.push(`${describeExit(exit)}, although its report shows no failure: see its output above`);
  }
  return summary(runner, counts);
}

/**
 * A step that writes no report, such as the site's build: one failure if it did not exit with 0.
 * @param {string} runner @param {RunnerExit} exit @returns {RunnerSummary}
 */
export function summarizeStep(runner, exit) {
  const problems = exitedBadly(exit) ? [describeExit(exit)] : [];
  return summary(runner, { passed: 0, failedTests: 0, skipped: [], problems });
}

/**
 * The lines `npm test` ends with: problems and skipped tests, one line per runner, then the total
 * as the very last line, `N passed, N failed`.
 * @param {RunnerSummary[]} summaries @param {number} [listed] how many skipped tests to name per runner
 * @returns {string[]}
 */
export function formatSummary(summaries, listed = 20) {
  const lines = [];
  for (const { runner, skipped, problems } of summaries) {
    for (const problem of problems) lines.push(`${runner} failed: ${problem}`);
    for (const name of skipped.slice(0, listed)) lines.push(`${runner} skipped: ${name}`);
    if (skipped.length > listed) lines.push(`${runner} skipped: … and ${skipped.length - listed} more`);
  }
  for (const { runner, passed, failed, skipped } of summaries) {
    lines.push(`${runner}: ${passed} passed, ${failed} failed, ${skipped.length} skipped`);
  }
  const total = (/** @type {'passed' | 'failed'} */ key) => summaries.reduce((sum, s) => sum + s[key], 0);
  lines.push(`${total('passed')} passed, ${total('failed')} failed`);
  return lines;
}

/**
 * @param {string} reportFile @param {z.ZodType} schema
 * @returns {{ ok: true; report: any } | { ok: false; reason: string }}
 */
function readReport(reportFile, schema) {
  let json;
  try {
    json = JSON.parse(readFileSync(reportFile, 'utf8'));
  } catch (error) {
    return { ok: false, reason: headline(error instanceof Error ? error.message : String(error)) };
  }
  const report = schema.safeParse(json);
  if (!report.success) return { ok: false, reason: `unexpected shape at ${report.error.issues[0].path.join('.') || 'the top level'}` };
  return { ok: true, report: report.data };
}

/** @param {z.infer<typeof vitestReport>} report @returns {ReportCounts} */
function countVitest(report) {
  /** @type {ReportCounts} */
  const counts = { passed: 0, failedTests: 0, skipped: [], problems: [] };
  for (const file of report.testResults) {
    const name = displayPath(file.name);
    for (const test of file.assertionResults) {
      if (test.status === 'passed') counts.passed += 1;
      else if (test.status === 'failed') counts.failedTests += 1;
      else counts.skipped.push([name, ...test.ancestorTitles, test.title].join(' › '));
    }
    // A file marked failed without a failed test broke outside its tests: it did not load, or a
    // beforeAll/afterAll threw (vitest then reports the tests that hook kept from running as skipped).
    if (file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed')) {
      const detail = file.message ? `: ${headline(file.message)}` : '';
      counts.problems.push(
        file.assertionResults.length === 0 ? `${name} did not load${detail}` : `${name} failed outside its tests (a beforeAll or afterAll hook threw)${detail}`,
      );
    }
  }
  return counts;
}

/** @param {z.infer<typeof playwrightReport>} report @returns {ReportCounts} */
function countPlaywright(report) {
  /** @type {ReportCounts} */
  const counts = { passed: 0, failedTests: 0, skipped: [], problems: report.errors.map((error) => headline(error.message)) };
  /** @param {z.infer<typeof playwrightSuite>} suite @param {string[]} titles */
  const walk = (suite, titles) => {
    for (const spec of suite.specs) {
      for (const test of spec.tests) {
        if (test.status === 'expected' || test.status === 'flaky') counts.passed += 1;
        else if (test.status === 'unexpected') counts.failedTests += 1;
        else counts.skipped.push([...titles, spec.title].join(' › ') + (test.expectedStatus === 'skipped' ? '' : ' (did not run)'));
      }
    }
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
  };
  for (const file of report.suites) walk(file, [file.title]);
  return counts;
}

/** @param {string} runner @param {ReportCounts} counts @returns {RunnerSummary} */
function summary(runner, { passed, failedTests, skipped, problems }) {
  return { runner, passed, failed: failedTests + problems.length, skipped, problems };
}

/** @param {RunnerExit} exit */
function exitedBadly(exit) {
  return exit.status !== 0 || Boolean(exit.error);
}

/** @param {RunnerExit} exit */
function describeExit({ status, signal, error }) {
  if (error) return `did not start (${error.message})`;
  return signal ? `was killed by ${signal}` : `exited with status ${status}`;
}

/** The first two lines of a message, without colours, as one line. */
function headline(/** @type {string} */ message) {
  const lines = stripVTControlCharacters(message).split('\n').map((line) => line.trim()).filter(Boolean);
  const line = lines.slice(0, 2).join(' ');
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

function displayPath(/** @type {string} */ file) {
  const inProject = relative(process.cwd(), file);
  return inProject.startsWith('..') ? file : inProject;
}
