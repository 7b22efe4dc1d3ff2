import * as http from '@session/http';
import { MemorySessionRepository } from '@session/memory';
import { RedisIndexedSessionRepository, RedisSessionRepository } from '@session/redis';
import { memoryStore, quietLogger, redisStores, runAdapterSuite } from '@session/testkit/http';
import Fastify from 'fastify';
import Fastify4 from 'fastify4';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fastifyHarness } from './support/fastify-harness.js';

// The published adapter suite (cookie and header flows, rotation, every cookie option, malformed
// ids, store outages, lost updates and login races with the memory and both Redis stores) over
// real HTTP, once per Fastify major version.
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

for (const [name, factory] of [
  ['fastify 4', Fastify4],
  ['fastify 5', Fastify],
] as const) {
  runAdapterSuite({
    http,
    createRepository,
    harness: fastifyHarness(name, factory),
    test: { describe, it, expect, afterEach, afterAll },
    stores,
  });
}
