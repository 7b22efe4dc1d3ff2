import { type MapSession, PRINCIPAL_NAME_INDEX_NAME, type SessionEvent, silentLogger } from '@session/core';
import { waitFor } from '@session/testkit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisIndexedSessionRepository } from '../src/index.js';
import { quietOptions, uniqueNamespace, useRedisServer } from './support/harness.js';

function collect(repo: RedisIndexedSessionRepository, type: 'expired' | 'created' | 'deleted') {
  const events: SessionEvent<MapSession>[] = [];
  repo.on(type, (event) => {
    events.push(event);
  });
  return events;
}

describe('expiry without keyspace notifications', () => {
  const redis = useRedisServer({ monitor: true });

  it('two instances each get one expired event with the session; one of them deletes and prunes', async () => {
    // CONFIG is never needed: the server keeps notify-keyspace-events off.
    expect(await redis.client.config('GET', 'notify-keyspace-events')).toEqual([
      'notify-keyspace-events',
      '',
    ]);
    const namespace = uniqueNamespace('ex');
    const sweepIntervalMs = 200;
    const a = new RedisIndexedSessionRepository({
      ...quietOptions(redis.client, namespace),
      sweepIntervalMs,
    });
    const b = new RedisIndexedSessionRepository({
      ...quietOptions(new Redis(redis.server.url), namespace),
      sweepIntervalMs,
    });
    await Promise.all([a.ready(), b.ready()]);
    const expiredA = collect(a, 'expired');
    const expiredB = collect(b, 'expired');
    const principal = `ada-${namespace}`;
    const session = await a.createSession();
    session.set(PRINCIPAL_NAME_INDEX_NAME, principal);
    session.set('cart', ['sku-1']);
    session.maxInactiveIntervalMs = 500;
    await a.save(session);
    const due = session.lastAccessedTime + 500;
    const indexKey = a.keys.index(PRINCIPAL_NAME_INDEX_NAME, principal);
    expect(await redis.client.smembers(indexKey)).toEqual([session.id]);
    expect(await redis.client.zscore(a.keys.due(a.keys.shardOf(session.id)), session.id)).toBe(String(due));

    await waitFor(
      () => (expiredA.length > 0 && expiredB.length > 0 ? true : undefined),
      5000,
      'no expired events',
    );
    const arrived = Date.now();
    // Within one sweep interval of the due time (plus scheduling slack on a busy machine).
    expect(arrived - due).toBeLessThan(sweepIntervalMs + 2000);
    // Let further sweeps of both instances run: still one event each.
    await new Promise((resolve) => setTimeout(resolve, 3 * sweepIntervalMs));
    await redis.monitor.sync();
    for (const events of [expiredA, expiredB]) {
      expect(events).toHaveLength(1);
      expect(events[0]?.sessionId).toBe(session.id);
      expect(events[0]?.session?.get('cart')).toEqual(['sku-1']);
    }
    expect(await redis.client.exists(a.keys.session(session.id))).toBe(0);
    expect(await redis.client.smembers(indexKey)).toEqual([]);
    expect(await redis.client.zscore(a.keys.due(a.keys.shardOf(session.id)), session.id)).toBeNull();
    // Exactly one instance did the cleanup: one DEL of the hash, one SREM on the index, in all.
    const sessionKey = a.keys.session(session.id);
    const seen = redis.monitor.commands();
    expect(seen.filter((c) => c.name === 'del' && c.args[0] === sessionKey)).toHaveLength(1);
    expect(seen.filter((c) => c.name === 'srem' && c.args[0] === indexKey)).toHaveLength(1);
    expect(seen.filter((c) => c.name === 'publish' && c.args[1]?.includes('"expired"'))).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('findByPrincipalName prunes ids whose session is gone', async () => {
    const repo = new RedisIndexedSessionRepository({
      client: redis.client,
      namespace: uniqueNamespace('pr'),
      logger: silentLogger,
    });
    const session = await repo.createSession();
    session.set(PRINCIPAL_NAME_INDEX_NAME, 'bob');
    await repo.save(session);
    const indexKey = repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'bob');
    // A dead id (as a crashed writer could leave) and a session that no longer has the value.
    const dead = 'D'.repeat(32);
    await redis.client.sadd(indexKey, dead);
    const other = await repo.createSession();
    other.set(PRINCIPAL_NAME_INDEX_NAME, 'carol');
    await repo.save(other);
    await redis.client.sadd(indexKey, other.id);
    const found = await repo.findByPrincipalName('bob');
    expect([...found.keys()]).toEqual([session.id]);
    expect(await redis.client.smembers(indexKey)).toEqual([session.id]);
    await repo.close();
  });
});

describe('keyspace notifications (optional fast path)', () => {
  const redis = useRedisServer({ args: ['--notify-keyspace-events', 'Ex'] });

  it("an expiry marker's notification triggers the sweep long before the sweeper's own tick", async () => {
    const repo = new RedisIndexedSessionRepository({
      client: redis.client,
      namespace: uniqueNamespace('ks'),
      keyspaceNotifications: true,
      sweepIntervalMs: 600_000,
      logger: silentLogger,
    });
    await repo.ready();
    const expired = collect(repo, 'expired');
    const session = await repo.createSession();
    session.set('a', 1);
    session.maxInactiveIntervalMs = 500;
    await repo.save(session);
    expect(await redis.client.exists(repo.keys.marker(session.id))).toBe(1);
    // The sweeper alone would not run for ten minutes.
    const event = await waitFor(() => expired[0], 5000, 'no expired event from the keyspace fast path');
    expect(event.sessionId).toBe(session.id);
    expect(event.session?.get('a')).toBe(1);
    expect(await redis.client.exists(repo.keys.session(session.id))).toBe(0);
    await repo.close();
  });
});
