import { CorruptSessionDataError, type MapSession, PRINCIPAL_NAME_INDEX_NAME } from '@session/core';
import { waitFor } from '@session/testkit';
import { describe, expect, it } from 'vitest';
import { RedisIndexedSessionRepository } from '../src/index.js';
import { quietOptions, REPOSITORIES, uniqueNamespace, useRedisServer } from './support/harness.js';

// Everything read back from Redis may have been written by someone else (another service, an
// older version, an operator): it is checked before use, and bad data is no session, never an error.

/** A logger that keeps what it is given. */
function recordingLogger() {
  const errors: unknown[][] = [];
  return {
    errors,
    debug() {},
    info() {},
    warn() {},
    error(...args: unknown[]) {
      errors.push(args);
    },
  };
}
const redis = useRedisServer({ monitor: true });

function indexed(extra: Record<string, unknown> = {}): RedisIndexedSessionRepository {
  return new RedisIndexedSessionRepository({
    ...quietOptions(redis.client, uniqueNamespace('ud')),
    ...extra,
  });
}

describe.each(REPOSITORIES)('%s: stored fields that are not usable', (_, Repository) => {
  const create = (extra: Record<string, unknown> = {}) =>
    new Repository({ ...quietOptions(redis.client, uniqueNamespace('uf')), ...extra });

  it.each(['inf', '-inf', '1e999', 'nan', '99999999999999999999', 'twelve'])(
    'an interval of %s reads as no session (removed and logged), never as an error',
    async (interval) => {
      const logger = recordingLogger();
      const repo = create({ logger });
      const session = await repo.createSession();
      session.set(PRINCIPAL_NAME_INDEX_NAME, 'nan-user');
      await repo.save(session);
      const copy = (await repo.findById(session.id)) as MapSession;
      const key = repo.keys.session(session.id);
      await redis.client.hset(key, 'i', interval);
      // A copy loaded before writes nothing into it (no TTL command can fail halfway)...
      copy.set('late', 1);
      expect(await repo.save(copy)).toEqual({ status: 'deleted', id: session.id });
      expect(await redis.client.hexists(key, ':late')).toBe(0);
      // ...and a read finds no session and removes the data.
      expect(await repo.findById(session.id)).toBeNull();
      expect(await redis.client.exists(key)).toBe(0);
      expect(logger.errors).toHaveLength(1);
      await repo.close();
    },
  );

  it('a hash without its creation time is no session: removed and logged, not thrown', async () => {
    const logger = recordingLogger();
    const repo = create({ logger });
    const session = await repo.createSession();
    session.set(PRINCIPAL_NAME_INDEX_NAME, 'mallory');
    await repo.save(session);
    const key = repo.keys.session(session.id);
    await redis.client.hdel(key, 'c');
    expect(await repo.findById(session.id)).toBeNull();
    expect(await redis.client.exists(key)).toBe(0);
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]?.[1]).toBeInstanceOf(CorruptSessionDataError);
    if (repo instanceof RedisIndexedSessionRepository) {
      expect(await redis.client.smembers(repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'mallory'))).toEqual([]);
    }
    await repo.close();
  });

  it('an attribute that does not decode makes the hash no session: removed and logged, naming it', async () => {
    const logger = recordingLogger();
    const repo = create({ logger });
    const session = await repo.createSession();
    session.set('ok', 1);
    await repo.save(session);
    const key = repo.keys.session(session.id);
    await redis.client.hset(key, ':broken', '{not json');
    expect(await repo.findById(session.id)).toBeNull();
    expect(await redis.client.exists(key)).toBe(0);
    expect(String((logger.errors[0]?.[1] as Error | undefined)?.message)).toContain('broken');
    await repo.close();
  });

  it('a key of another type under a session name is no session, for reads, deletes, lookups and sweeps', async () => {
    const repo = create();
    const id = 'W'.repeat(32);
    const key = repo.keys.session(id);
    await redis.client.set(key, 'not a hash');
    expect(await repo.findById(id)).toBeNull();
    expect(await redis.client.exists(key)).toBe(0);
    await redis.client.set(key, 'not a hash');
    await repo.deleteById(id);
    expect(await redis.client.exists(key)).toBe(0);
    if (repo instanceof RedisIndexedSessionRepository) {
      await redis.client.set(key, 'not a hash');
      await redis.client.sadd(repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'wt'), id);
      expect((await repo.findByPrincipalName('wt')).size).toBe(0);
      await redis.client.zadd(repo.keys.due(0), 1, id);
      await repo.sweepExpiredSessions();
      expect(await redis.client.exists(key)).toBe(0);
      expect(await redis.client.zcard(repo.keys.due(0))).toBe(0);
    }
    await repo.close();
  });
});

describe('ids read back from Redis', () => {
  it('the sweep drops a malformed id from the due set without touching the key it names', async () => {
    const repo = indexed();
    await repo.ready();
    const expired: string[] = [];
    repo.on('expired', (event) => {
      expired.push(event.sessionId);
    });
    const bad = 'short:id';
    const victim = repo.keys.session(bad);
    const old = String(Date.now() - 60_000);
    await redis.client.hset(victim, { c: old, l: old, i: '1' });
    await redis.client.zadd(repo.keys.due(0), 1, bad);
    await repo.sweepExpiredSessions();
    expect(await redis.client.exists(victim)).toBe(1);
    expect(await redis.client.zscore(repo.keys.due(0), bad)).toBeNull();
    expect(expired).toEqual([]);
    await repo.close();
  });

  it('an index lookup never reads the key a malformed member names, and leaves a member it cannot read', async () => {
    const repo = indexed();
    const session = await repo.createSession();
    session.set(PRINCIPAL_NAME_INDEX_NAME, 'trudy');
    await repo.save(session);
    const indexKey = repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'trudy');
    const bad = 'no good';
    await redis.client.hset(repo.keys.session(bad), 'x', '1');
    await redis.client.sadd(indexKey, bad);
    await redis.monitor.sync();
    const start = redis.monitor.commands().length;
    const found = await repo.findByPrincipalName('trudy');
    await redis.monitor.sync();
    const touched = redis.monitor
      .commands()
      .slice(start)
      .filter((c) => c.args.some((arg) => arg.includes(`s:${bad}`)));
    expect(touched).toEqual([]);
    expect([...found.keys()]).toEqual([session.id]);
    // Nothing proves it dead: a member we cannot parse is not ours to remove.
    expect((await redis.client.smembers(indexKey)).sort()).toEqual([bad, session.id].sort());
    await repo.close();
  });

  it('a damaged index record neither fails nor half-applies later saves and deletes', async () => {
    const repo = indexed();
    const session = await repo.createSession();
    session.set(PRINCIPAL_NAME_INDEX_NAME, 'ada');
    await repo.save(session);
    const key = repo.keys.session(session.id);
    await redis.client.hset(key, 'x', JSON.stringify({ '': true, n: [1] }));
    const loaded = (await repo.findById(session.id)) as MapSession;
    loaded.set(PRINCIPAL_NAME_INDEX_NAME, 'bob');
    loaded.set('after', 1);
    expect((await repo.save(loaded)).status).toBe('written');
    expect(await redis.client.hget(key, ':after')).toBe('1');
    expect(await redis.client.smembers(repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'bob'))).toEqual([
      session.id,
    ]);
    await repo.deleteById(session.id);
    expect(await redis.client.exists(key)).toBe(0);
    expect(await redis.client.smembers(repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'bob'))).toEqual([]);
    await repo.close();
  });

  it("index names and values containing ':' get sets of their own", async () => {
    const repo = indexed({
      indexResolver: {
        resolveIndexesFor: (session: MapSession) => ({ 'team:role': session.get('role') as string }),
      },
    });
    const session = await repo.createSession();
    session.set('role', 'admin');
    await repo.save(session);
    expect(repo.keys.index('team', 'role:admin')).not.toBe(repo.keys.index('team:role', 'admin'));
    expect((await repo.findByIndexNameAndIndexValue('team', 'role:admin')).size).toBe(0);
    expect([...(await repo.findByIndexNameAndIndexValue('team:role', 'admin')).keys()]).toEqual([session.id]);
    await repo.close();
  });
});

it('pub/sub messages are not trusted: junk, malformed ids and unknown kinds are dropped, later events still arrive', async () => {
  const repo = indexed();
  await repo.ready();
  const seen: string[] = [];
  for (const type of ['created', 'deleted', 'expired'] as const) {
    repo.on(type, (event) => {
      seen.push(`${type}:${event.sessionId}`);
    });
  }
  const channel = repo.keys.channel;
  const good = 'G'.repeat(32);
  for (const message of [
    'not json',
    'null',
    '[]',
    JSON.stringify({ t: 'deleted', id: 'short' }),
    JSON.stringify({ t: 'deleted', id: '../../etc/passwd-and-more' }),
    JSON.stringify({ t: 'deleted', id: 42 }),
    JSON.stringify({ t: 'exploded', id: good }),
    JSON.stringify({ t: 'deleted', id: good, h: { c: 1 } }),
    JSON.stringify({ t: 'expired', id: good, h: ['c', 1, 'l'] }),
  ]) {
    await redis.client.publish(channel, message);
  }
  const other = indexed({ namespace: repo.keys.namespace });
  const session = await other.createSession();
  session.set('a', 1);
  await other.save(session);
  await waitFor(() => (seen.includes(`created:${session.id}`) ? true : undefined), 5000, 'no created event');
  // Only well-formed ids and kinds came through; an undecodable hash gives an event without a session.
  expect(seen).toEqual([`deleted:${good}`, `expired:${good}`, `created:${session.id}`]);
  await Promise.all([repo.close(), other.close()]);
});

it('attribute names with ":" and unicode, and a megabyte value, round-trip', async () => {
  const repo = indexed();
  const session = await repo.createSession();
  const big = 'x'.repeat(1024 * 1024);
  session.set('a:b:c', 1);
  session.set('ünïcødé 🎉', 'wert ✓');
  session.set('big', big);
  await repo.save(session);
  expect(await redis.client.hget(repo.keys.session(session.id), ':a:b:c')).toBe('1');
  const loaded = (await repo.findById(session.id)) as MapSession;
  expect(loaded.get('a:b:c')).toBe(1);
  expect(loaded.get('ünïcødé 🎉')).toBe('wert ✓');
  expect((loaded.get('big') as string).length).toBe(big.length);
  loaded.delete('ünïcødé 🎉');
  await repo.save(loaded);
  expect((await repo.findById(session.id))?.names().sort()).toEqual(['a:b:c', 'big']);
  await repo.close();
});
