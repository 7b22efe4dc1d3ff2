import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const exampleDir = fileURLToPath(new URL('../..', import.meta.url));
const guide = fileURLToPath(new URL('../../../../docs/migration.md', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');
const started: Array<{ child: ChildProcess; dir: string }> = [];

afterEach(() => {
  for (const example of started.splice(0)) stopExample(example);
});

function stopExample({ child, dir }: { child: ChildProcess; dir: string }): void {
  child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}

/** The `ts` code block under `### <heading>` within the `## <section>` of docs/migration.md. */
export function guideBlock(section: string, heading: string): string {
  const text = readFileSync(guide, 'utf8');
  const start = text.indexOf(`\n## ${section}\n`);
  if (start === -1) throw new Error(`no section "${section}" in docs/migration.md`);
  const end = text.indexOf('\n## ', start + 1);
  const body = text.slice(start, end === -1 ? undefined : end);
  const code = new RegExp(`\\n### ${heading}\\n(?:[^\\n]*\\n)*?\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(
    body,
  )?.[1];
  if (code === undefined) throw new Error(`no ts block under "### ${heading}" in "${section}"`);
  return code;
}

/** A guide example running as its own process. */
export interface RunningExample {
  readonly url: string;
  stop(): void;
}

/**
 * Runs a guide example as a user would (tsx, this directory's dependencies) with `PORT=0` and the
 * given environment; resolves once it prints `listening on <url>`. Stopped after the test.
 */
export function runExample(code: string, env: Record<string, string>): Promise<RunningExample> {
  const dir = mkdtempSync(join(exampleDir, '.guide-'));
  const file = join(dir, 'example.ts');
  writeFileSync(file, code);
  const child = spawn(process.execPath, ['--conditions=dev-source', '--import', tsx, file], {
    cwd: exampleDir,
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entry = { child, dir };
  started.push(entry);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ url: url.replace(/\/$/, ''), stop: () => stopExample(entry) });
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
