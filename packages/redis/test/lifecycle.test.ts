import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findFreePort, type RedisTestServer, startRedisServer } from '@session/testkit/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisIndexedSessionRepository, RedisSessionRepository } from '../src/index.js';
import { uniqueNamespace } from './support/harness.js';

let server: RedisTestServer;
let client: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  client = new Redis(server.url);
});
afterAll(async () => {
  client?.disconnect();
  await server?.stop();
});

describe('closing', () => {
  it.each([
    ['RedisSessionRepository', RedisSessionRepository],
    ['RedisIndexedSessionRepository', RedisIndexedSessionRepository],
  ] as const)('%s: close() leaves a client it was given open, and is idempotent', async (_, Repository) => {
    const repo = new Repository({ client, namespace: uniqueNamespace('lc') });
    await repo.close();
    await repo.close();
    expect(await client.ping()).toBe('PONG');
  });

  it('close() (and a constructor that rejects its options) leaves nothing running: a child process exits by itself, even with Redis down', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/close-must-exit.mts', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--conditions=dev-source',
        '--import',
        'tsx',
        fixture,
        String(server.port),
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
