/**
 * The floor for Fastify: bare Fastify 5 doing one HGETALL per request, no session library (and no
 * cookie plugin: the floor reads its cookie with the same pattern as the Express and Koa floors).
 */
import Fastify, { type FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { FLOOR_COOKIE, floorKey, seedFloorHash } from './express-floor.js';
import { type AppFactory, fastifyListener } from './types.js';

export const create: AppFactory = async ({ redisUrl, db, namespace }) => {
  const redis = new Redis(redisUrl, { db });
  await redis.hset(`${namespace}:anonymous`, 'creationTime', Date.now(), 'lastAccessedTime', Date.now());
  const app = Fastify();
  const handle = async (request: FastifyRequest) => {
    const hash = await redis.hgetall(floorKey(namespace, request.headers.cookie));
    return hash.principal ?? 'ok';
  };
  app.get('/anon', handle);
  app.get('/read', handle);
  app.post('/write', handle);
  app.post('/login', handle);
  app.post('/seed', async (_request, reply) => {
    const id = await seedFloorHash(redis, namespace);
    // What Express' res.cookie and Koa's ctx.cookies.set write; bare Fastify has no cookie helper.
    reply.header('set-cookie', `${FLOOR_COOKIE}=${id}; Path=/; HttpOnly`);
    return 'ok';
  });
  return { listener: await fastifyListener(app), close: async () => void (await redis.quit()) };
};
