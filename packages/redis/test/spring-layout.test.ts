import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createSpringJsonSerializer,
  javaClassOf,
  type MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  SPRING_SECURITY_CONTEXT,
  silentLogger,
  springJsonSerializer,
} from '@session/core';
import { waitFor } from '@session/testkit';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  findJava,
  JAVA_INSTALL_HINT,
  type JavaRequest,
  runJacksonCheck,
} from '../../../scripts/jackson-check/run.js';
import {
  RedisIndexedSessionRepository,
  type RedisIndexedSessionRepositoryOptions,
  RedisSessionRepository,
} from '../src/index.js';
import { useRedisServer } from './support/harness.js';

/** Redis state exactly as Spring Session writes it (see fixtures/spring-session/README.md). */
interface SpringFixture {
  description: string;
  now: number;
  sessionId: string;
  principal: string | null;
  expirationStore: 'minute-buckets' | 'sorted-set';
  keys: Array<
    | { key: string; type: 'hash'; ttlSeconds: number; fields: Record<string, string> }
    | { key: string; type: 'string'; ttlSeconds: number; value: string }
    | { key: string; type: 'set'; ttlSeconds?: number; members: string[] }
    | { key: string; type: 'zset'; members: Array<[string, number]> }
  >;
}

const fixtureDir = fileURLToPath(new URL('./fixtures/spring-session/', import.meta.url));
const fixtures = readdirSync(fixtureDir)
  .filter((file) => file.endsWith('.json'))
  .map(
    (file) =>
      [file.slice(0, -5), JSON.parse(readFileSync(`${fixtureDir}${file}`, 'utf8')) as SpringFixture] as const,
  );
const fixture = (name: string) => fixtures.find(([n]) => n === name)?.[1] as SpringFixture;

const NS = 'spring:session';
const SHADOW = `${NS}:sessions:expires:`;

const redis = useRedisServer();

beforeAll(async () => {
  // What Spring Session's ConfigureNotifyKeyspaceEventsAction sets: the spring layout needs it too.
  await redis.client.config('SET', 'notify-keyspace-events', 'Egx');
});
beforeEach(async () => {
  await redis.client.flushall();
});

/** Writes a fixture's keys into Redis, TTLs included. */
async function load(f: SpringFixture): Promise<void> {
  for (const entry of f.keys) {
    if (entry.type === 'hash') await redis.client.hset(entry.key, entry.fields);
    else if (entry.type === 'string') await redis.client.set(entry.key, entry.value);
    else if (entry.type === 'set') await redis.client.sadd(entry.key, ...entry.members);
    else for (const [member, score] of entry.members) await redis.client.zadd(entry.key, score, member);
    if ('ttlSeconds' in entry && entry.ttlSeconds !== undefined)
      await redis.client.expire(entry.key, entry.ttlSeconds);
  }
}

/** A clock that starts at the fixture's `now`. */
function clockAt(now: number): () => number {
  const started = Date.now();
  return () => now + (Date.now() - started);
}

function springRepository(f: SpringFixture, extra: RedisIndexedSessionRepositoryOptions = {}) {
  return new RedisIndexedSessionRepository({
    client: redis.client,
    layout: 'spring',
    springExpirationStore: f.expirationStore,
    clock: clockAt(f.now),
    sweepIntervalMs: 0,
    logger: silentLogger,
    ...extra,
  });
}

/** Spring's minute bucket for an expiry. */
const bucketOf = (expiresAt: number) => Math.floor(expiresAt / 60_000) * 60_000 + 60_000;

/**
 * What Spring's own rules require of a saved session (RedisIndexedSessionRepository with its
 * expiration store): checked on whatever our save left behind.
 */
async function expectSpringShape(id: string, f: SpringFixture, principal: string | null): Promise<void> {
  const key = `${NS}:sessions:${id}`;
  const hash = await redis.client.hgetall(key);
  for (const field of Object.keys(hash)) {
    expect(
      ['creationTime', 'lastAccessedTime', 'maxInactiveInterval'].includes(field) ||
        field.startsWith('sessionAttr:'),
      field,
    ).toBe(true);
  }
  expect(hash.creationTime).toMatch(/^\d+$/);
  expect(hash.lastAccessedTime).toMatch(/^\d+$/);
  expect(hash.maxInactiveInterval).toMatch(/^-?\d+$/);
  const interval = Number(hash.maxInactiveInterval);
  const expiresAt = Number(hash.lastAccessedTime) + interval * 1000;
  const ttl = await redis.client.ttl(key);
  expect(ttl).toBeGreaterThan(interval + 300 - 10);
  expect(ttl).toBeLessThanOrEqual(interval + 300);
  const shadowTtl = await redis.client.pttl(`${SHADOW}${id}`);
  expect(shadowTtl).toBeGreaterThan(interval * 1000 - 10_000);
  expect(await redis.client.get(`${SHADOW}${id}`)).toBe('');
  if (f.expirationStore === 'minute-buckets') {
    const buckets = await redis.client.keys(`${NS}:expirations:*`);
    const holding = [];
    for (const bucket of buckets)
      if (await redis.client.sismember(bucket, `"expires:${id}"`)) holding.push(bucket);
    expect(holding).toEqual([`${NS}:expirations:${bucketOf(expiresAt)}`]);
  } else {
    expect(Number(await redis.client.zscore(`${NS}:sessions:expirations`, `"${id}"`))).toBe(expiresAt);
  }
  if (principal !== null) {
    expect(await redis.client.smembers(`${NS}:index:${PRINCIPAL_NAME_INDEX_NAME}:${principal}`)).toEqual([
      `"${id}"`,
    ]);
  }
}

describe.each(fixtures)('a session Spring Session wrote (%s)', (name, f) => {
  it('is read with its attributes and principal, and found by principal', async () => {
    await load(f);
    const repo = springRepository(f);
    const found = (await repo.findById(f.sessionId)) as MapSession;
    expect(found).not.toBeNull();
    const hash = f.keys.find((k) => k.type === 'hash') as { fields: Record<string, string> };
    for (const [field, text] of Object.entries(hash.fields)) {
      if (!field.startsWith('sessionAttr:')) continue;
      const attribute = field.slice('sessionAttr:'.length);
      if (text === '') expect(found.names()).not.toContain(attribute);
      else expect(found.get(attribute)).toEqual(springJsonSerializer.deserialize(text, attribute));
    }
    if (f.principal !== null) {
      expect([...(await repo.findByPrincipalName(f.principal)).keys()]).toEqual([f.sessionId]);
    }
    await repo.close();
  });

  it('written back with a change, stays in the shape Spring requires; untouched attributes keep their bytes', async () => {
    await load(f);
    const repo = springRepository(f);
    const hashKey = `${NS}:sessions:${f.sessionId}`;
    const before = await redis.client.hgetall(hashKey);
    const found = (await repo.findById(f.sessionId)) as MapSession;
    found.set('fromNode', { visits: 2, tags: ['a', 'b'] });
    expect((await repo.save(found)).status).toBe('written');
    await expectSpringShape(f.sessionId, f, f.principal);
    const after = await redis.client.hgetall(hashKey);
    for (const [field, text] of Object.entries(before)) {
      if (field.startsWith('sessionAttr:') && text !== '') expect(after[field], field).toBe(text);
    }
    // Spring's removed attribute stays removed: never resurrected, never made into a corrupt session.
    if (name === 'removed-attribute') expect(after['sessionAttr:tmp'] ?? '').toBe('');
    await repo.close();
  });

  it('a login rotating the id moves every piece of Spring bookkeeping to the new id', async () => {
    await load(f);
    const repo = springRepository(f);
    const found = (await repo.findById(f.sessionId)) as MapSession;
    const newId = found.changeSessionId();
    expect((await repo.save(found)).status).toBe('written');
    expect(await redis.client.exists(`${NS}:sessions:${f.sessionId}`, `${SHADOW}${f.sessionId}`)).toBe(0);
    await expectSpringShape(newId, f, f.principal);
    if (f.principal !== null) {
      expect([...(await repo.findByPrincipalName(f.principal)).keys()]).toEqual([newId]);
    }
    await repo.close();
  });
});

describe('never destroying Spring data', () => {
  it('an index member written without JSON quotes (a StringRedisSerializer setup) is read, and kept', async () => {
    const f = fixture('principal-attribute');
    await load(f);
    const indexKey = `${NS}:index:${PRINCIPAL_NAME_INDEX_NAME}:ada`;
    await redis.client.del(indexKey);
    await redis.client.sadd(indexKey, f.sessionId);
    const repo = springRepository(f);
    expect([...(await repo.findByPrincipalName('ada')).keys()]).toEqual([f.sessionId]);
    expect(await redis.client.smembers(indexKey)).toEqual([f.sessionId]);
    await repo.close();
  });

  it('an index member that is not an id we can read is left alone', async () => {
    const f = fixture('principal-attribute');
    await load(f);
    const indexKey = `${NS}:index:${PRINCIPAL_NAME_INDEX_NAME}:ada`;
    await redis.client.sadd(indexKey, '\xac\xed\x00\x05t\x00$jdk-serialized');
    const repo = springRepository(f);
    expect([...(await repo.findByPrincipalName('ada')).keys()]).toEqual([f.sessionId]);
    expect(await redis.client.scard(indexKey)).toBe(2);
    await repo.close();
  });

  it('an empty attribute value is an absent attribute, never a corrupt session', async () => {
    const f = fixture('removed-attribute');
    await load(f);
    const repo = springRepository(f);
    const found = (await repo.findById(f.sessionId)) as MapSession;
    expect(found.names()).toEqual(['kept']);
    expect(await redis.client.exists(`${NS}:sessions:${f.sessionId}`)).toBe(1);
    await repo.close();
  });

  it('an unchanged Spring Security context is written back as the same Java types', async () => {
    const f = fixture('form-login');
    await load(f);
    const repo = springRepository(f, { saveMode: 'always' });
    const found = (await repo.findById(f.sessionId)) as MapSession;
    const context = found.get(SPRING_SECURITY_CONTEXT) as Record<string, unknown>;
    expect(javaClassOf(context)).toBe('org.springframework.security.core.context.SecurityContextImpl');
    found.set('touched', true);
    await repo.save(found);
    const original = (f.keys[0] as { fields: Record<string, string> }).fields[
      `sessionAttr:${SPRING_SECURITY_CONTEXT}`
    ];
    expect(
      await redis.client.hget(`${NS}:sessions:${f.sessionId}`, `sessionAttr:${SPRING_SECURITY_CONTEXT}`),
    ).toBe(original);
    await repo.close();
  });
});

describe('sessions Node creates in the spring layout', () => {
  it('have exactly the keys and fields Spring would have written', async () => {
    const f = fixture('principal-attribute');
    const repo = springRepository(f);
    const session = await repo.createSession();
    session.set(PRINCIPAL_NAME_INDEX_NAME, 'node-user');
    session.set('cart', ['sku-1']);
    expect((await repo.save(session)).status).toBe('written');
    await expectSpringShape(session.id, f, 'node-user');
    expect(await redis.client.hget(`${NS}:sessions:${session.id}`, 'sessionAttr:cart')).toBe(
      '["java.util.ArrayList",["sku-1"]]',
    );
    // A sub-second interval becomes whole seconds, rounded up: Spring keeps seconds.
    session.maxInactiveIntervalMs = 1500;
    await repo.save(session);
    expect(await redis.client.hget(`${NS}:sessions:${session.id}`, 'maxInactiveInterval')).toBe('2');
    await repo.close();
  });

  it('the plain repository writes Spring RedisSessionRepository’s layout: the hash with a TTL of the interval', async () => {
    const repo = new RedisSessionRepository({ client: redis.client, layout: 'spring', logger: silentLogger });
    const session = await repo.createSession();
    session.set('a', 1);
    await repo.save(session);
    const key = `${NS}:sessions:${session.id}`;
    expect(await redis.client.hget(key, 'sessionAttr:a')).toBe('1');
    expect(await redis.client.ttl(key)).toBeGreaterThan(1800 - 10);
    expect(await redis.client.exists(`${SHADOW}${session.id}`)).toBe(0);
    await repo.close();
  });
});

describe('events in a mixed fleet (keyspace notifications, as Spring uses them)', () => {
  it('a session Java created (on Spring’s channel) arrives as created; Java’s delete and the shadow key’s expiry as deleted and expired', async () => {
    const f = fixture('principal-attribute');
    const repo = springRepository(f, { clock: Date.now });
    await repo.ready();
    const seen: string[] = [];
    for (const type of ['created', 'deleted', 'expired'] as const) {
      repo.on(type, (event) => {
        seen.push(
          `${type}:${event.sessionId}:${String((event.session as MapSession | null)?.get('cart') !== undefined)}`,
        );
      });
    }
    const created = 'aaaaaaaa-1111-4222-8333-444444444444';
    const hash = (f.keys[0] as { fields: Record<string, string> }).fields;
    const body = `{"@class":"java.util.HashMap",${Object.entries(hash)
      .map(([field, text]) => `${JSON.stringify(field)}:${text === '' ? 'null' : text}`)
      .join(',')}}`;
    await redis.client.publish(`${NS}:event:0:created:${created}`, body);
    await waitFor(() => (seen.length > 0 ? true : undefined), 5000, 'no created event');
    expect(seen).toEqual([`created:${created}:true`]);

    // Java's deleteById: the shadow key goes (a `del` keyspace event), the hash stays with interval 0.
    const now = Date.now();
    const stored = { ...hash, lastAccessedTime: String(now), creationTime: String(now) };
    const deletedId = 'bbbbbbbb-1111-4222-8333-444444444444';
    await redis.client.hset(`${NS}:sessions:${deletedId}`, { ...stored, maxInactiveInterval: '0' });
    await redis.client.set(`${SHADOW}${deletedId}`, '');
    await redis.client.del(`${SHADOW}${deletedId}`);
    await waitFor(() => (seen.length > 1 ? true : undefined), 5000, 'no deleted event');
    expect(seen[1]).toBe(`deleted:${deletedId}:true`);

    // A session whose shadow key runs out: `expired` on every instance, its index entry cleaned.
    const expiringId = 'cccccccc-1111-4222-8333-444444444444';
    await redis.client.hset(`${NS}:sessions:${expiringId}`, { ...stored, maxInactiveInterval: '1' });
    await redis.client.sadd(`${NS}:index:${PRINCIPAL_NAME_INDEX_NAME}:ada`, `"${expiringId}"`);
    await redis.client.set(`${SHADOW}${expiringId}`, '', 'PX', 200);
    await waitFor(() => (seen.length > 2 ? true : undefined), 5000, 'no expired event');
    expect(seen[2]).toBe(`expired:${expiringId}:true`);
    await waitFor(
      async () =>
        (await redis.client.sismember(`${NS}:index:${PRINCIPAL_NAME_INDEX_NAME}:ada`, `"${expiringId}"`)) ===
        0
          ? true
          : undefined,
      2000,
      'index entry left behind',
    );
    await repo.close();
  });

  it("a Node instance's own save and delete reach its listeners once, and Spring's channel carries the created event", async () => {
    const f = fixture('principal-attribute');
    const repo = springRepository(f, { clock: Date.now });
    await repo.ready();
    const listener = redis.client.duplicate();
    const bodies: string[] = [];
    await listener.psubscribe(`${NS}:event:0:created:*`);
    listener.on('pmessage', (_p, _c, message) => bodies.push(message));
    const seen: string[] = [];
    repo.on('created', (event) => {
      seen.push(`created:${event.sessionId}`);
    });
    repo.on('deleted', (event) => {
      seen.push(`deleted:${event.sessionId}`);
    });
    const session = await repo.createSession();
    session.set('cart', ['x']);
    await repo.save(session);
    await repo.deleteById(session.id);
    await waitFor(
      () => (bodies.length > 0 ? true : undefined),
      5000,
      'no message on Spring’s created channel',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toEqual([`created:${session.id}`, `deleted:${session.id}`]);
    expect(JSON.parse(bodies[0] as string)['@class']).toBe('java.util.HashMap');
    // A deleted session is what Spring leaves: interval 0, kept for the grace period; no longer found.
    expect(await repo.findById(session.id)).toBeNull();
    expect(await redis.client.hget(`${NS}:sessions:${session.id}`, 'maxInactiveInterval')).toBe('0');
    listener.disconnect();
    await repo.close();
  });
});

const java = findJava();
if (!java.ok) {
  console.warn(`[spring-layout] SKIPPING the Java check: ${java.reason}. Install with: ${JAVA_INSTALL_HINT}`);
}

describe.skipIf(!java.ok)(
  'what a Java service reads (real Jackson, as Spring Data Redis configures it)',
  () => {
    it('every hash value and set member our spring layout writes reads without error, with the right Java types', async () => {
      const f = fixture('form-login');
      await load(f);
      const repo = springRepository(f);
      const found = (await repo.findById(f.sessionId)) as MapSession;
      found.set('cart', [{ sku: 'a', qty: 2 }]);
      found.set('since', new Date(1_700_000_000_000));
      found.set('tags', new Set(['x']));
      found.set('count', 3);
      found.set('big', 2n ** 64n);
      const newId = found.changeSessionId();
      await repo.save(found);
      const fresh = await repo.createSession();
      fresh.set(PRINCIPAL_NAME_INDEX_NAME, 'node-user');
      await repo.save(fresh);
      const requests: JavaRequest[] = [];
      for (const id of [newId, fresh.id]) {
        for (const [field, text] of Object.entries(await redis.client.hgetall(`${NS}:sessions:${id}`))) {
          requests.push({ id: `${id}|${field}`, mapper: 'generic', json: text });
        }
      }
      for (const bucket of await redis.client.keys(`${NS}:expirations:*`)) {
        for (const member of await redis.client.smembers(bucket))
          requests.push({ id: `bucket|${member}`, mapper: 'generic', json: member });
      }
      for (const index of await redis.client.keys(`${NS}:index:*`)) {
        for (const member of await redis.client.smembers(index))
          requests.push({ id: `index|${member}`, mapper: 'generic', json: member });
      }
      const run = await runJacksonCheck(java as { classpath: string }, requests);
      for (const request of requests) {
        const answer = run.answers.get(request.id);
        expect(answer?.error, request.id).toBeUndefined();
        expect(answer?.ok, request.id).toBe(true);
      }
      const sig = (id: string, field: string) => run.answers.get(`${id}|${field}`)?.sig;
      expect(sig(newId, 'creationTime')).toBe('Long');
      expect(sig(newId, 'lastAccessedTime')).toBe('Long');
      expect(sig(newId, 'maxInactiveInterval')).toBe('Integer');
      expect(sig(newId, 'sessionAttr:cart')).toBe('ArrayList[LinkedHashMap{sku:String,qty:Integer}]');
      expect(sig(newId, 'sessionAttr:since')).toBe('Date');
      expect(sig(newId, 'sessionAttr:tags')).toBe('LinkedHashSet[String]');
      expect(sig(newId, 'sessionAttr:count')).toBe('Integer');
      expect(sig(newId, 'sessionAttr:big')).toBe('BigInteger');
      expect(sig(newId, `sessionAttr:${SPRING_SECURITY_CONTEXT}`)).toMatch(
        /^org\.springframework\.security\.core\.context\.SecurityContextImpl/,
      );
      expect(sig(fresh.id, `sessionAttr:${PRINCIPAL_NAME_INDEX_NAME}`)).toBe('String');
      for (const request of requests.filter((r) => r.id.startsWith('bucket|') || r.id.startsWith('index|'))) {
        expect(run.answers.get(request.id)?.sig, request.id).toBe('String');
      }
      await repo.close();
    }, 60_000);

    it('with Spring Security’s Jackson modules on the Java side, the allowlist serializer writes what that mapper accepts', async () => {
      const f = fixture('form-login');
      await load(f);
      const repo = springRepository(f, {
        serializer: createSpringJsonSerializer({ springSecurityAllowlist: true }),
      });
      const found = (await repo.findById(f.sessionId)) as MapSession;
      found.set('cart', [{ sku: 'a' }]);
      found.set('since', new Date(0));
      await repo.save(found);
      const requests: JavaRequest[] = Object.entries(
        await redis.client.hgetall(`${NS}:sessions:${f.sessionId}`),
      ).map(([field, text]) => ({ id: field, mapper: 'security', json: text }));
      const run = await runJacksonCheck(java as { classpath: string }, requests);
      for (const request of requests) expect(run.answers.get(request.id)?.error, request.id).toBeUndefined();
      await repo.close();
    }, 60_000);
  },
);
