/**
 * The floor for Express: bare Express 5 doing one Redis round trip (HGETALL of a session-sized
 * hash) per request and no session library. What a session layer costs is measured against this.
 */
import { randomBytes } from 'node:crypto';
import express from 'express';
import { Redis } from 'ioredis';
import { type AppFactory, csrfToken, nextUser, SESSION_TTL_MS } from './types.js';

export const FLOOR_COOKIE = 'fid';
const COOKIE_PATTERN = /(?:^|;\s*)fid=([A-Za-z0-9_-]+)/;

/** The hash key the floor reads for a request: the seeded hash its cookie names, else a fixed one. */
export function floorKey(namespace: string, cookie: string | undefined): string {
  const id = cookie === undefined ? undefined : COOKIE_PATTERN.exec(cookie)?.[1];
  return `${namespace}:${id ?? 'anonymous'}`;
}

/** Seeds one hash like a logged-in session and returns its cookie value. */
export async function seedFloorHash(redis: Redis, namespace: string): Promise<string> {
  const id = randomBytes(24).toString('base64url');
  const key = `${namespace}:${id}`;
  await redis
    .multi()
    .hset(
      key,
      'creationTime',
      Date.now(),
      'lastAccessedTime',
      Date.now(),
      'principal',
      nextUser(),
      'csrfToken',
      csrfToken(),
    )
    .pexpire(key, SESSION_TTL_MS)
    .exec();
  return id;
}

export const create: AppFactory = async ({ redisUrl, db, namespace }) => {
  const redis = new Redis(redisUrl, { db });
  await redis.hset(`${namespace}:anonymous`, 'creationTime', Date.now(), 'lastAccessedTime', Date.now());
  const app = express();
  const handle = async (req: express.Request, res: express.Response) => {
    const hash = await redis.hgetall(floorKey(namespace, req.headers.cookie));
    res.send(hash.principal ?? 'ok');
  };
  app.get('/anon', handle);
  app.get('/read', handle);
  app.post('/write', handle);
  app.post('/login', handle);
  app.post('/seed', async (_req, res) => {
    const id = await seedFloorHash(redis, namespace);
    res.cookie(FLOOR_COOKIE, id, { httpOnly: true, path: '/' }).send('ok');
  });
  return { listener: app, close: async () => void (await redis.quit()) };
};
