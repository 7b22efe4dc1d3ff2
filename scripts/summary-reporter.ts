import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Where the summary goes: the repository root's .ci/out (git-ignored), whatever directory vitest
 * runs in. Package scripts run vitest with `--root ../..`, and a path relative to the working
 * directory would leave a `.ci/out` folder in every package.
 */
export const SUMMARY_DIR = fileURLToPath(new URL('../.ci/out/', import.meta.url));

/**
 * Prints the plain closing line CI reads (`N passed, N failed, N skipped`) and writes it to
 * .ci/out/test-summary.json at the repository root so .ci/run can add its own checks to the count.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      let sawTest = false;
      for (const test of mod.children.allTests()) {
        sawTest = true;
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that failed to load (syntax error, failing beforeAll) counts as a failure.
      if (!sawTest && mod.state() === 'failed') failed++;
      else if (mod.errors().length > 0) failed++;
    }
    failed += unhandledErrors.length;
    mkdirSync(SUMMARY_DIR, { recursive: true });
    writeFileSync(`${SUMMARY_DIR}test-summary.json`, JSON.stringify({ passed, failed, skipped }));
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
