import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Runs `pnpm start` at the repository root in a process group of its own, as a terminal runs a
 * foreground job, and sends `signal` to the whole group once the demo listens (what Ctrl-C does).
 */
function startAndSignal(signal: NodeJS.Signals): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('pnpm', ['start'], {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    let signalled = false;
    const timer = setTimeout(() => {
      process.kill(-(child.pid as number), 'SIGKILL');
      reject(new Error(`the demo did not start and stop within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!signalled && /listening on http/.test(output)) {
        signalled = true;
        process.kill(-(child.pid as number), signal);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('stopping `pnpm start`', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s to the whole process group (Ctrl-C, a service manager) exits 0 without a pnpm failure',
    async (signal) => {
      const { code, output } = await startAndSignal(signal);
      expect(output).toContain(`${signal}: shutting down`);
      expect(output).not.toMatch(/ELIFECYCLE|ERR_PNPM|Command failed/);
      expect(code).toBe(0);
    },
  );
});
