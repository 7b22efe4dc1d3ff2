/**
 * The incumbent for Fastify: @fastify/session 11 with connect-redis 8 on ioredis, the store of the
 * express-session contender. connect-redis' `RedisStore` has the callback-style `get`/`set`/
 * `destroy` @fastify/session calls, and its TTL comes from `session.cookie.expires`, which
 * @fastify/session's sessions carry as express-session's do, so it is used as it is, no adapter.
 *
 * Configured like the express-session contender: `saveUninitialized: false` (an anonymous request
 * stores nothing and sets no cookie), a 30-minute cookie maxAge (the store TTL follows it), the
 * rest at @fastify/session's defaults, so `rolling: true`: every request with a session saves it
 * again (a SET of the whole session on every read). @fastify/session has no `resave` option. One
 * default differs from express-session's and is set back: `cookie.secure` defaults to true here,
 * and over plain HTTP that means no session is ever saved nor sent; express-session's is false.
 * The secret must be 32 characters or more here.
 *
 * Logging in runs exactly what @fastify/passport 3/4's `request.logIn` runs on @fastify/session:
 * `regenerate(['session'])` (the store deletes the old id and stores the new, empty session), then
 * the user under `passport`; the plugin saves it when the reply is sent.
 */
import fastifyCookie from '@fastify/cookie';
import fastifySession, { type FastifySessionObject } from '@fastify/session';
import { RedisStore } from 'connect-redis';
import Fastify, { type FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { type AppFactory, csrfToken, fastifyListener, nextPage, nextUser, SESSION_TTL_MS } from './types.js';

/** @fastify/session's `request.session` (typed locally: see fastify-session-shim.d.ts). */
function sessionOf(request: FastifyRequest): FastifySessionObject {
  return (request as unknown as { session: FastifySessionObject }).session;
}

/** @fastify/passport keeps the serialized user under `passport` (Passport on express: `passport.user`). */
function userOf(request: FastifyRequest): string | undefined {
  return sessionOf(request).get('passport') as string | undefined;
}

/** @fastify/passport's `SecureSessionManager.logIn` with its defaults (`clearSessionOnLogin`). */
async function passportLogin(request: FastifyRequest, user: string): Promise<void> {
  await sessionOf(request).regenerate(['session']);
  // regenerate() put a new session object on the request.
  sessionOf(request).set('passport', user);
}

export const create: AppFactory = async ({ redisUrl, db, namespace }) => {
  const redis = new Redis(redisUrl, { db });
  const app = Fastify();
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    store: new RedisStore({ client: redis, prefix: `${namespace}:` }),
    secret: 'bench-secret-bench-secret-bench-secret',
    saveUninitialized: false,
    cookie: { secure: false, maxAge: SESSION_TTL_MS },
  });
  app.get('/anon', async () => 'ok');
  app.get('/read', async (request) => userOf(request) ?? 'anonymous');
  app.post('/write', async (request) => {
    sessionOf(request).set('lastPage', nextPage());
    return 'ok';
  });
  app.post('/login', async (request) => {
    await passportLogin(request, nextUser());
    return 'ok';
  });
  app.post('/seed', async (request) => {
    await passportLogin(request, nextUser());
    sessionOf(request).set('csrfToken', csrfToken());
    return 'ok';
  });
  return { listener: await fastifyListener(app), close: async () => void (await redis.quit()) };
};
