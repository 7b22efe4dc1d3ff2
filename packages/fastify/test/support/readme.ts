import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');
const started: Array<{ child: ChildProcess; dir: string }> = [];

afterEach(() => {
  for (const { child, dir } of started.splice(0)) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The first `ts` code block under the README heading `heading` (e.g. `## Quick start`). */
export function readmeBlock(heading: string): string {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const code = new RegExp(`${escaped}\\n\\n(?:[^\\n]*\\n)*?\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
  if (code === undefined) throw new Error(`no ts block under "${heading}" in README.md`);
  return code;
}

/**
 * Runs a README example as a user would (tsx, the package's own dependencies) with `PORT=0` and
 * resolves with the URL it prints as `listening on <url>`. Stopped after the test.
 */
export function runReadmeServer(code: string): Promise<string> {
  const dir = mkdtempSync(join(packageDir, 'test', '.readme-'));
  const file = join(dir, 'example.ts');
  writeFileSync(file, code);
  const child = spawn(process.execPath, ['--conditions=dev-source', '--import', tsx, file], {
    cwd: packageDir,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push({ child, dir });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start:\n${output}`)), 30_000);
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
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the example exited with ${code}:\n${output}`));
    });
  });
}
