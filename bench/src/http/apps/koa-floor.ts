/** The floor for Koa: bare Koa 3 doing one HGETALL per request, no session library. */

import { Redis } from 'ioredis';
import Koa from 'koa';
import { FLOOR_COOKIE, floorKey, seedFloorHash } from './express-floor.js';
import type { AppFactory } from './types.js';

export const create: AppFactory = async ({ redisUrl, db, namespace }) => {
  const redis = new Redis(redisUrl, { db });
  await redis.hset(`${namespace}:anonymous`, 'creationTime', Date.now(), 'lastAccessedTime', Date.now());
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.path === '/seed') {
      const id = await seedFloorHash(redis, namespace);
      ctx.cookies.set(FLOOR_COOKIE, id, { httpOnly: true, path: '/' });
      ctx.body = 'ok';
      return;
    }
    if (ctx.path !== '/anon' && ctx.path !== '/read' && ctx.path !== '/write' && ctx.path !== '/login')
      return;
    const hash = await redis.hgetall(floorKey(namespace, ctx.headers.cookie));
    ctx.body = hash.principal ?? 'ok';
  });
  return { listener: app.callback(), close: async () => void (await redis.quit()) };
};
