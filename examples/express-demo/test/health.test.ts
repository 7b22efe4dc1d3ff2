import {
  createRepositoryFromConfig,
  type Session,
  type SessionRepository,
  silentLogger,
} from '@session/core';
import { type RedisTestServer, startRedisServer } from '@session/testkit/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from './support/demo.js';

async function health(base: string) {
  const res = await fetch(`${base}/healthz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; store: string } };
}

describe('/healthz reports whether the store answers', () => {
  it('is 200 with the store up on the in-memory store', async () => {
    const { base } = await startDemo();
    const res = await health(base);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, store: 'up' });
  });

  describe('on a real redis-server', () => {
    let redis: RedisTestServer;
    let repository: SessionRepository<Session>;

    beforeAll(async () => {
      redis = await startRedisServer({ useEnv: false });
      // Quiet: the outage below makes the store log every failed reconnect.
      repository = await createRepositoryFromConfig(`${redis.url}?namespace=healthz-test`, {
        overrides: { logger: silentLogger },
      });
    });

    afterAll(async () => {
      await repository?.close?.();
      await redis?.stop();
    });

    it('answers 503 while redis-server is stopped, and 200 again once it is back', async () => {
      const { base } = await startDemo({ repository });
      expect(await health(base)).toMatchObject({ status: 200, body: { ok: true, store: 'up' } });

      const port = redis.port;
      await redis.stop();
      const started = Date.now();
      expect(await health(base)).toMatchObject({ status: 503, body: { ok: false, store: 'down' } });
      // Bounded: a probe learns it within about a second, never hangs.
      expect(Date.now() - started).toBeLessThan(3000);

      redis = await startRedisServer({ useEnv: false, port });
      await expect.poll(async () => (await health(base)).status, { timeout: 15_000 }).toBe(200);
    });
  });
});
