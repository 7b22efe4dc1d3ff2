import express from 'express';
import express4 from 'express4';
import { describeAdapter, memoryStore } from '../../http/test/support/adapter-suite.js';
import { expressHarness } from './support/express-harness.js';
import { redisStores } from './support/redis-stores.js';

// The shared behaviour suite (cookie and header flows, rotation, every cookie option, malformed
// ids, store outages, lost updates with the memory and both Redis stores) over real HTTP, once
// per Express major version.
for (const [name, factory] of [
  ['express 4', express4],
  ['express 5', express],
] as const) {
  describeAdapter(expressHarness(name, factory), [memoryStore, ...redisStores]);
}
