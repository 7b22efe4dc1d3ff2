import Koa from 'koa';
import Koa2 from 'koa2';
import { redisStores } from '../../express/test/support/redis-stores.js';
import { describeAdapter, memoryStore } from '../../http/test/support/adapter-suite.js';
import { koaHarness } from './support/koa-harness.js';

// The shared behaviour suite (cookie and header flows, rotation, every cookie option, malformed
// ids, store outages, lost updates with the memory and both Redis stores) over real HTTP, once
// per Koa major version.
for (const [name, KoaApp] of [
  ['koa 2', Koa2],
  ['koa 3', Koa],
] as const) {
  describeAdapter(koaHarness(name, KoaApp), [memoryStore, ...redisStores]);
}
