import { type MapSession, PRINCIPAL_NAME_INDEX_NAME } from '@session/core';
import { type RedisTestServer, startRedisServer } from '@session/testkit/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisIndexedSessionRepository, RedisSessionRepository } from '../src/index.js';
import { uniqueNamespace } from './support/harness.js';

let server: RedisTestServer;
let client: Redis;
beforeAll(async () => { server = await startRedisServer(); client = new Redis(server.url); });
afterAll(async () => { client?.disconnect(); await server?.stop(); });

it('huge interval', async () => {
  const repo = new RedisIndexedSessionRepository({ client, namespace: uniqueNamespace('p'), sweepIntervalMs: 0 });
  const s = await repo.createSession();
  s.set('a', 1);
  s.maxInactiveIntervalMs = 1e16;
  let err: unknown;
  try { await repo.save(s); } catch (e) { err = e; }
  console.log('err', String(err), await client.hgetall(repo.keys.session(s.id)), await client.pttl(repo.keys.session(s.id)));
  await repo.close();
});

it('lastAccessed far future', async () => {
  const repo = new RedisSessionRepository({ client, namespace: uniqueNamespace('p') });
  const s = await repo.createSession();
  s.set('a', 1);
  s.lastAccessedTime = 1e16;
  let err: unknown;
  try { await repo.save(s); } catch (e) { err = e; }
  console.log('err2', String(err), await client.hgetall(repo.keys.session(s.id)), await client.pttl(repo.keys.session(s.id)));
  await repo.close();
});

it('index name with colon', async () => {
  const repo = new RedisIndexedSessionRepository({ client, namespace: uniqueNamespace('p'), sweepIntervalMs: 0,
    indexResolver: { resolveIndexesFor: (s: MapSession) => ({ 'a:b': s.get('v') as string }) } as never });
  const s = await repo.createSession();
  s.set('v', 'c');
  await repo.save(s);
  console.log('colon', [...(await repo.findByIndexNameAndIndexValue('a:b', 'c')).keys()].length);
  console.log('other', [...(await repo.findByIndexNameAndIndexValue('a', 'b:c')).keys()].length);
  console.log('after', [...(await repo.findByIndexNameAndIndexValue('a:b', 'c')).keys()].length);
  await repo.close();
});
