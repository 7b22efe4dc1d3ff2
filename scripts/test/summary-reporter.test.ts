import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const reporter = pathToFileURL(join(root, 'scripts/summary-reporter.ts')).href;
const summary = join(root, '.ci/out/test-summary.json');

describe('the CI summary reporter', () => {
  it('writes the summary at the repository root whatever directory vitest runs in', async () => {
    // A package's own `pnpm test` runs vitest from the package directory.
    const cwd = mkdtempSync(join(tmpdir(), 'summary-reporter-'));
    try {
      const before = existsSync(summary) ? statSync(summary).mtimeMs : 0;
      const script = `const { default: R } = await import(${JSON.stringify(reporter)}); new R().onTestRunEnd([], []);`;
      // tsx's ESM loader, found from here: the temporary directory has no node_modules.
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
      const { stdout } = await run(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
        cwd,
      });
      expect(stdout).toContain('0 passed, 0 failed, 0 skipped');
      expect(existsSync(join(cwd, '.ci'))).toBe(false);
      expect(statSync(summary).mtimeMs).toBeGreaterThanOrEqual(before);
      expect(JSON.parse(readFileSync(summary, 'utf8'))).toEqual({ passed: 0, failed: 0, skipped: 0 });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
