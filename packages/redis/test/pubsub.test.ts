import { type MapSession, silentLogger } from '@session/core';
import { sleep, waitFor } from '@session/testkit';
import { findFreePort, startRedisServer } from '@session/testkit/redis';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisIndexedSessionRepository, RedisSessionRepository } from '../src/index.js';
import { quietOptions, uniqueNamespace, useRedisServer } from './support/harness.js';

const redis = useRedisServer();

describe('the event subscription', () => {
  it('ready() rejects when the repository is closed before its subscription ever held', async () => {
    const port = await findFreePort();
    const down = new Redis(port, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    down.on('error', () => undefined);
    const repo = new RedisIndexedSessionRepository({
      client: down,
      sweepIntervalMs: 0,
      logger: silentLogger,
    });
    const ready = repo.ready();
    await repo.close();
    await expect(ready).rejects.toThrow(/closed before its event subscription held/);
    down.disconnect();
  });

  it('subscribes once Redis comes up after a failed first attempt, and again after a restart', async () => {
    const port = await findFreePort();
    const open = () => {
      const c = new Redis(port, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
      c.on('error', () => undefined);
      return c;
    };
    const listenerClient = open();
    const namespace = uniqueNamespace('ps');
    const listener = new RedisIndexedSessionRepository(quietOptions(listenerClient, namespace));
    // Nothing listens yet: the first SUBSCRIBE fails, and ready() waits for a later one to hold.
    let readiness = 'pending';
    const ready = listener.ready().then(
      () => {
        readiness = 'ready';
      },
      () => {
        readiness = 'rejected';
      },
    );
    await sleep(300);
    expect(readiness).toBe('pending');
    const deleted: string[] = [];
    listener.on('deleted', (event) => {
      deleted.push(event.sessionId);
    });
    const peerClient = open();
    const peer = new RedisIndexedSessionRepository(quietOptions(peerClient, namespace));
    const deleteOne = async () => {
      const session = await peer.createSession();
      session.set('a', 1);
      await peer.save(session);
      await peer.deleteById(session.id);
      return session.id;
    };
    const channel = `${namespace}:events`;
    const subscribers = async () =>
      Number(((await peerClient.pubsub('NUMSUB', channel)) as [string, number])[1]);
    let restarted = await startRedisServer({ useEnv: false, port });
    try {
      await waitFor(async () => ((await subscribers()) === 2 ? true : undefined), 5000, 'no resubscription');
      await ready;
      expect(readiness).toBe('ready');
      const first = await deleteOne();
      await waitFor(() => (deleted.includes(first) ? true : undefined), 5000, 'no event after start');

      await restarted.stop();
      restarted = await startRedisServer({ useEnv: false, port });
      await waitFor(async () => ((await subscribers()) === 2 ? true : undefined), 5000, 'no resubscription');
      const second = await deleteOne();
      await waitFor(() => (deleted.includes(second) ? true : undefined), 5000, 'no event after restart');
      expect(deleted).toEqual([first, second]);
    } finally {
      await Promise.all([listener.close(), peer.close()]);
      listenerClient.disconnect();
      peerClient.disconnect();
      await restarted.stop();
    }
  });

  it("an instance's own created and deleted events reach its listeners once, subscribed or not yet", async () => {
    const namespace = uniqueNamespace('own');
    const repo = new RedisIndexedSessionRepository(quietOptions(redis.client, namespace));
    const seen: string[] = [];
    repo.on('created', (event) => {
      seen.push(`created:${event.sessionId}:${String((event.session as MapSession | null)?.get('a'))}`);
    });
    repo.on('deleted', (event) => {
      seen.push(`deleted:${event.sessionId}`);
    });
    // Right away: the subscription may not hold yet.
    const first = await repo.createSession();
    first.set('a', 1);
    await repo.save(first);
    await repo.deleteById(first.id);
    await repo.ready();
    const second = await repo.createSession();
    second.set('a', 2);
    await repo.save(second);
    await repo.deleteById(second.id);
    await sleep(200);
    expect(seen).toEqual([
      `created:${first.id}:1`,
      `deleted:${first.id}`,
      `created:${second.id}:2`,
      `deleted:${second.id}`,
    ]);
    await repo.close();
  });

  it('an instance sweeps only once it hears events, so its own listeners get what its first sweep expires', async () => {
    const namespace = uniqueNamespace('first');
    const writer = new RedisIndexedSessionRepository(quietOptions(redis.client, namespace));
    const ids: string[] = [];
    const now = Date.now();
    for (let i = 0; i < 5; i++) {
      const session = await writer.createSession();
      session.set('i', i);
      await writer.save(session);
      ids.push(session.id);
    }
    await writer.close();
    // Due long ago, as sessions are after every instance was down for a while.
    for (const id of ids) {
      await redis.client.hset(writer.keys.session(id), 'l', String(now - 60_000), 'i', '1000');
      await redis.client.zadd(writer.keys.due(0), now - 59_000, id);
    }
    const repo = new RedisIndexedSessionRepository({
      ...quietOptions(redis.client, namespace),
      sweepIntervalMs: 1,
    });
    const expired: string[] = [];
    repo.on('expired', (event) => {
      expired.push(event.sessionId);
    });
    await waitFor(() => (expired.length === ids.length ? true : undefined), 5000, 'expired events were lost');
    expect([...expired].sort()).toEqual([...ids].sort());
    await repo.close();
  });
});

describe('Redis down when the repository starts', () => {
  it.each([
    ['RedisSessionRepository', RedisSessionRepository],
    ['RedisIndexedSessionRepository', RedisIndexedSessionRepository],
  ] as const)(
    '%s: every operation settles (rejects with SessionStoreUnavailableError); only ready() waits',
    async (_, Repository) => {
      const port = await findFreePort();
      const repo = new Repository({
        url: `redis://127.0.0.1:${port}`,
        // Few retries keep the test short; what matters is that nothing waits for the subscription.
        redisOptions: { maxRetriesPerRequest: 2, retryStrategy: () => 20 },
        sweepIntervalMs: 0,
        logger: silentLogger,
      });
      const session = await repo.createSession();
      session.set('a', 1);
      const results = await Promise.allSettled([
        repo.save(session),
        repo.findById(session.id),
        repo.deleteById(session.id),
      ]);
      for (const result of results) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason?.code).toBe('SESSION_STORE_UNAVAILABLE');
      }
      if (repo instanceof RedisIndexedSessionRepository) {
        let settled = false;
        repo.ready().then(
          () => {
            settled = true;
          },
          () => undefined,
        );
        await sleep(100);
        expect(settled).toBe(false);
        expect((await repo.findByPrincipalName('nobody').catch((err) => err))?.code).toBe(
          'SESSION_STORE_UNAVAILABLE',
        );
      }
      await repo.close();
    },
    20_000,
  );
});
