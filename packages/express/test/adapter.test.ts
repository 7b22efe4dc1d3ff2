import * as http from '@session/http';
import { MemorySessionRepository } from '@session/memory';
import { RedisIndexedSessionRepository, RedisSessionRepository } from '@session/redis';
import { memoryStore, quietLogger, redisStores, runAdapterSuite } from '@session/testkit/http';
import express from 'express';
import express4 from 'express4';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { expressHarness } from './support/express-harness.js';

// The published adapter suite (cookie and header flows, rotation, every cookie option, malformed
// ids, store outages, lost updates and login races with the memory and both Redis stores) over
// real HTTP, once per Express major version.
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
  ['express 4', express4],
  ['express 5', express],
] as const) {
  runAdapterSuite({
    http,
    createRepository,
    harness: expressHarness(name, factory),
    test: { describe, it, expect, afterEach, afterAll },
    stores,
  });
}
