/**
 * The incumbent for Koa: koa-session 7 with an external Redis store on ioredis, the three-method
 * store koa-session documents (`get`/`set`/`destroy`). It sends the same commands koa-redis does
 * (GET + JSON.parse, SET with a TTL, DEL); koa-redis itself pins ioredis 4, so this keeps every
 * contender on the same ioredis 5 driver. Defaults otherwise (signed cookies, `rolling: false`),
 * maxAge 30 minutes. Logging in runs what Passport 0.7 runs through koa-passport: regenerate, set
 * `passport.user`, save.
 */
import { Redis } from 'ioredis';
import Koa from 'koa';
import koaSession from 'koa-session';
import { type AppFactory, csrfToken, nextPage, nextUser, SESSION_TTL_MS } from './types.js';

/** koa-session's external store on ioredis: what koa-redis does, on the current driver. */
export function ioredisStore(redis: Redis, prefix: string) {
  return {
    async get(key: string): Promise<Record<string, unknown> | undefined> {
      const text = await redis.get(prefix + key);
      return text === null ? undefined : (JSON.parse(text) as Record<string, unknown>);
    },
    async set(
      key: string,
      sess: Record<string, unknown>,
      maxAge: number | 'session' | undefined,
    ): Promise<void> {
      const text = JSON.stringify(sess);
      if (typeof maxAge === 'number') await redis.set(prefix + key, text, 'PX', maxAge);
      else await redis.set(prefix + key, text);
    },
    async destroy(key: string): Promise<void> {
      await redis.del(prefix + key);
    },
  };
}

type KoaSession = NonNullable<Koa.Context['session']> & {
  passport?: { user?: string };
  csrfToken?: string;
  lastPage?: string;
  regenerate(callback?: (err?: unknown) => void): Promise<void> | undefined;
  save(callback?: (err?: unknown) => void): Promise<void> | undefined;
};

/** Passport 0.7's `SessionManager.logIn`, as koa-passport runs it on koa-session. */
async function passportLogin(session: KoaSession, user: string): Promise<void> {
  await session.regenerate();
  session.passport ??= {};
  session.passport.user = user;
  await session.save();
}

export const create: AppFactory = async ({ redisUrl, db, namespace }) => {
  const redis = new Redis(redisUrl, { db });
  const app = new Koa();
  app.keys = ['bench-secret-bench-secret'];
  app.use(
    koaSession({ key: 'koa.sess', maxAge: SESSION_TTL_MS, store: ioredisStore(redis, `${namespace}:`) }, app),
  );
  app.use(async (ctx) => {
    // The session is read in each case, never for /anon (an anonymous request does not touch it).
    const session = () => ctx.session as KoaSession;
    switch (ctx.path) {
      case '/anon':
        ctx.body = 'ok';
        return;
      case '/read':
        ctx.body = session().passport?.user ?? 'anonymous';
        return;
      case '/write':
        session().lastPage = nextPage();
        ctx.body = 'ok';
        return;
      case '/login':
        await passportLogin(session(), nextUser());
        ctx.body = 'ok';
        return;
      case '/seed':
        await passportLogin(session(), nextUser());
        session().csrfToken = csrfToken();
        ctx.body = 'ok';
        return;
    }
  });
  return { listener: app.callback(), close: async () => void (await redis.quit()) };
};
