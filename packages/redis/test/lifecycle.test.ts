import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '@session/testkit/redis';
import { describe, expect, it } from 'vitest';
import { REPOSITORIES, uniqueNamespace, useRedisServer } from './support/harness.js';

const redis = useRedisServer();

describe('closing', () => {
  it.each(REPOSITORIES)(
    '%s: close() leaves a client it was given open, and is idempotent',
    async (_, Repository) => {
      const repo = new Repository({ client: redis.client, namespace: uniqueNamespace('lc') });
      await repo.close();
      await repo.close();
      expect(await redis.client.ping()).toBe('PONG');
    },
  );

  it('close() (and a constructor that rejects its options) leaves nothing running: a child process exits by itself, even with Redis down', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/close-must-exit.mts', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--conditions=dev-source',
        '--import',
        'tsx',
        fixture,
        String(redis.server.port),
        String(await findFreePort()),
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // A liveness bound, not a speed goal: a close() that waits on a dead server never exits.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exit;
    clearTimeout(timer);
    expect(output).toContain('closed');
    expect(code).toBe(0);
  }, 30_000);
});
