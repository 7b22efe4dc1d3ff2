import { SessionStoreUnavailableError } from '@session/core';
import { findFreePort, type RedisTestServer, startRedisServer } from '@session/testkit/redis';
import { RedisStore } from 'connect-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromExpressSessionStore } from '../src/index.js';
import { rawGet, rawSet, runBridgeContract } from './support/store-helpers.js';

const PREFIX = 'bridge-contract:';

let server: RedisTestServer;
let client: Redis;
let peerClient: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  client = new Redis(server.url);
  peerClient = new Redis(server.url);
});

afterAll(async () => {
  await Promise.allSettled([client?.quit(), peerClient?.quit()]);
  await server?.stop();
});

runBridgeContract(
  'fromExpressSessionStore(connect-redis on redis-server)',
  // The bridge checks the stored millisecond timestamps; connect-redis's whole-second TTL only
  // keeps an expired key a little longer, and the bridge destroys it when it reads it.
  { minIntervalMs: 250, eventWithinMs: 1000 },
  () => ({
    store: new RedisStore({ client, prefix: PREFIX }),
    inspect: new RedisStore({ client, prefix: PREFIX }),
    // Its own connection and store object: like another process, it shares no lock.
    peer: () => new RedisStore({ client: peerClient, prefix: PREFIX }),
  }),
);

describe('connect-redis specifics', () => {
  it("the session's interval becomes the key's TTL through cookie.expires", async () => {
    const repository = fromExpressSessionStore(new RedisStore({ client, prefix: 'bridge-ttl:' }));
    const session = await repository.createSession();
    session.maxInactiveIntervalMs = 45 * 60_000;
    session.set('user', 'ada');
    await repository.save(session);
    const ttlSeconds = await client.ttl(`bridge-ttl:${session.id}`);
    expect(ttlSeconds).toBeGreaterThan(45 * 60 - 5);
    expect(ttlSeconds).toBeLessThanOrEqual(45 * 60);
    const stored = JSON.parse((await client.get(`bridge-ttl:${session.id}`)) ?? 'null');
    expect(stored.user).toBe('ada');
    expect(stored.cookie.originalMaxAge).toBe(45 * 60_000);
  });

  it('a session whose cookie expired but whose key a TTL-only touch kept alive: gone by default, kept with trustStoreExpiry', async () => {
    // connect-redis's touch() only extends the key's TTL; a ttl function stands in for that here.
    const store = new RedisStore({ client, prefix: 'bridge-touch:', ttl: () => 60 });
    const loggedInAt = Date.now() - 10 * 60_000;
    const foreign = {
      cookie: {
        originalMaxAge: 5 * 60_000,
        expires: new Date(loggedInAt + 5 * 60_000).toISOString(),
        path: '/',
      },
      user: 'ada',
    };
    const first = (await fromExpressSessionStore(store).createSession()).id;
    const second = (await fromExpressSessionStore(store).createSession()).id;
    await rawSet(store, first, foreign);
    await rawSet(store, second, foreign);

    expect(await fromExpressSessionStore(store).findById(first)).toBeNull();
    // The bridge destroyed it, as it does with every expired session it reads.
    expect(await rawGet(store, first)).toBeUndefined();

    const before = Date.now();
    const kept = await fromExpressSessionStore(store, { trustStoreExpiry: true }).findById(second);
    expect(kept?.get('user')).toBe('ada');
    expect(kept?.lastAccessedTime).toBeGreaterThanOrEqual(before);
    expect(kept?.isExpired()).toBe(false);
  });

  it('an unreachable Redis makes every call reject with SessionStoreUnavailableError', async () => {
    const port = await findFreePort();
    const down = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      const repository = fromExpressSessionStore(new RedisStore({ client: down }));
      const session = await repository.createSession();
      session.set('a', 1);
      for (const call of [
        () => repository.findById(session.id),
        () => repository.save(session),
        () => repository.deleteById(session.id),
      ]) {
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(SessionStoreUnavailableError);
        expect((err as SessionStoreUnavailableError).code).toBe('SESSION_STORE_UNAVAILABLE');
        expect((err as SessionStoreUnavailableError).cause).toBeInstanceOf(Error);
      }
      // Nothing was marked saved: the change is still pending for a retry.
      expect(session.hasChanges()).toBe(true);
    } finally {
      down.disconnect();
    }
  });
});
