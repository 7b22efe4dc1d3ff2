import * as http from '@session/http';
import { MemorySessionRepository } from '@session/memory';
import { RedisIndexedSessionRepository, RedisSessionRepository } from '@session/redis';
import { memoryStore, quietLogger, redisStores, runAdapterSuite } from '@session/testkit/http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { honoHarness } from './support/hono-harness.js';

// The published adapter suite (cookie and header flows, rotation, every cookie option, malformed
// ids, store outages, lost updates and login races with the memory and both Redis stores) over
// real HTTP, with Hono on @hono/node-server.
const createRepository = () => new MemorySessionRepository();

runAdapterSuite({
  http,
  createRepository,
  harness: honoHarness,
  test: { describe, it, expect, afterEach, afterAll },
  stores: [
    memoryStore(createRepository),
    ...redisStores({
      'redis (plain)': (client, namespace) =>
        new RedisSessionRepository({ client, namespace, logger: quietLogger }),
      'redis (indexed)': (client, namespace) =>
        new RedisIndexedSessionRepository({ client, namespace, logger: quietLogger }),
    }),
  ],
});
