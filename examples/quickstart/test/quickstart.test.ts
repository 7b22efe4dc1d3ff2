import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type RedisTestServer, startRedisServer } from '@session/testkit/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

/** What a whole lifecycle prints, whichever store runs it. */
function expectLifecycle(stdout: string, store: string): void {
  expect(stdout).toContain(`store: ${store} (indexed: true, events: true)`);
  expect(stdout).toMatch(/unsaved session \S+ in store: false/);
  expect(stdout).toMatch(/alice has 2 sessions: (laptop, phone|phone, laptop)/);
  expect(stdout).toMatch(/old id found: false; cart kept: \[\["sku-42",2\]\]/);
  expect(stdout).toContain('after revoking the phone, alice has 1 session(s)');
  expect(stdout.match(/event created/g)).toHaveLength(3);
  expect(stdout.match(/event deleted/g)).toHaveLength(1);
  expect(stdout.match(/event expired/g)).toHaveLength(1);
  expect(stdout).toContain('1 s session found after expiry: false');
}

describe('quickstart example', () => {
  it('prints a whole session lifecycle on the in-memory store, and exits once done', async () => {
    const started = Date.now();
    const { stdout } = await run(
      process.execPath,
      ['--conditions=dev-source', '--import', 'tsx', 'src/main.ts'],
      {
        cwd: dir,
        env: { ...process.env, SESSION_STORE: 'memory:' },
        timeout: 30_000,
      },
    );
    expectLifecycle(stdout, 'memory:');
    // Nothing is left waiting: the 15 s limit on the expiry wait must not outlive the wait.
    expect(Date.now() - started).toBeLessThan(12_000);
  });

  describe('on Redis, as its header comment promises', () => {
    let redis: RedisTestServer;
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('SESSION_STORE=redis://… pnpm quickstart runs the same lifecycle on a real redis-server', async () => {
      const { stdout } = await run('pnpm', ['quickstart'], {
        cwd: root,
        env: { ...process.env, SESSION_STORE: redis.url },
        timeout: 60_000,
      });
      expectLifecycle(stdout, redis.url);
    });
  });
});
