import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Where {@link useReadmeExamples} finds the README and how it runs its examples. */
export interface ReadmeExamplesOptions {
  /**
   * The package's folder: `README.md` is read there, and examples run from a temporary folder
   * inside it (`.readme-*`, removed after each test) so they import the package's own dependencies.
   */
  packageDir: string;
  /** `node --conditions` for the example process (e.g. a source condition in a monorepo). Default none. */
  conditions?: readonly string[];
  /** How long an example may take to print `listening on <url>`, in ms. Default 30 000. */
  startTimeoutMs?: number;
}

/** The README helpers {@link useReadmeExamples} gives a test file. */
export interface ReadmeExamples {
  /** The first `ts` code block under the README heading `heading` (e.g. `## Quick start`). */
  block(heading: string): string;
  /**
   * Runs an example server as a user would (with `tsx`, from the package folder) with `PORT=0` and
   * resolves with the URL it prints as `listening on <url>` (no trailing slash). The process is
   * killed after the current test.
   */
  runServer(code: string): Promise<string>;
}

/**
 * Tests a package's README examples as written: reads its `ts` blocks and runs example servers in
 * a child process. `tsx` must be resolvable from `packageDir` (a dev dependency). Pass your test
 * framework's `afterEach`:
 *
 * ```ts
 * const readme = useReadmeExamples({ afterEach }, { packageDir: fileURLToPath(new URL('..', import.meta.url)) });
 * it('quick start runs', async () => {
 *   const url = await readme.runServer(readme.block('## Quick start'));
 *   expect((await send(`${url}/`)).status).toBe(200);
 * });
 * ```
 */
export function useReadmeExamples(
  hooks: { afterEach(fn: () => unknown, timeoutMs?: number): unknown },
  options: ReadmeExamplesOptions,
): ReadmeExamples {
  const { packageDir, conditions = [], startTimeoutMs = 30_000 } = options;
  const started: Array<{ child: ChildProcess; dir: string }> = [];
  hooks.afterEach(() => {
    for (const { child, dir } of started.splice(0)) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  return {
    block(heading) {
      const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
      const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const code = new RegExp(`${escaped}\\n\\n(?:[^\\n]*\\n)*?\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(
        readme,
      )?.[1];
      if (code === undefined) throw new Error(`no ts block under "${heading}" in README.md`);
      return code;
    },

    runServer(code) {
      const tsx = createRequire(join(packageDir, 'package.json')).resolve('tsx');
      const dir = mkdtempSync(join(packageDir, '.readme-'));
      const file = join(dir, 'example.ts');
      writeFileSync(file, code);
      const flags = conditions.map((condition) => `--conditions=${condition}`);
      const child = spawn(process.execPath, [...flags, '--import', tsx, file], {
        cwd: packageDir,
        env: { ...process.env, PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      started.push({ child, dir });
      let output = '';
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the example did not start:\n${output}`)),
          startTimeoutMs,
        );
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
          if (url !== undefined) {
            clearTimeout(timer);
            resolve(url.replace(/\/$/, ''));
          }
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('exit', (exitCode) => {
          clearTimeout(timer);
          reject(new Error(`the example exited with ${exitCode}:\n${output}`));
        });
      });
    },
  };
}
