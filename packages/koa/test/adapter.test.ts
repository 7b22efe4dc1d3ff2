import * as http from '@session/http';
import { MemorySessionRepository } from '@session/memory';
import { RedisIndexedSessionRepository, RedisSessionRepository } from '@session/redis';
import { memoryStore, quietLogger, redisStores, runAdapterSuite } from '@session/testkit/http';
import Koa from 'koa';
import Koa2 from 'koa2';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { koaHarness } from './support/koa-harness.js';

// The published adapter suite (cookie and header flows, rotation, every cookie option, malformed
// ids, store outages, lost updates and login races with the memory and both Redis stores) over
// real HTTP, once per Koa major version.
const createRepository = () => new MemorySessionRepository();

const stores = [
  memoryStore(createRepository),
  ...redisStores({
    'redis (plain)': (client, namespace) =>
      new RedisSessionRepository({ client, namespace, logger: quietLogger }),
    'redis (indexed)': (client, namespace) =>
      new RedisIndexedSessionRepository({ client, namespace, logger: quietLogger }),
  }),
];

for (const [name, KoaApp] of [
  ['koa 2', Koa2],
  ['koa 3', Koa],
] as const) {
  runAdapterSuite({
    http,
    createRepository,
    harness: koaHarness(name, KoaApp),
    test: { describe, it, expect, afterEach, afterAll },
    stores,
  });
}
