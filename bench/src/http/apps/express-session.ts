/**
 * The incumbent for Express: express-session 1.x with connect-redis 8 (the last major that supports
 * ioredis) on ioredis, configured the way production apps usually are: `resave: false`,
 * `saveUninitialized: false`, a 30-minute cookie maxAge (the store TTL follows it). Logging in runs
 * exactly what Passport 0.7's `req.login` runs: regenerate, set `passport.user`, save.
 */
import { RedisStore } from 'connect-redis';
import express from 'express';
import session, { type ExpressSession } from 'express-session';
import { Redis } from 'ioredis';
import { type AppFactory, csrfToken, nextPage, nextUser, SESSION_TTL_MS } from './types.js';

/** express-session's `req.session` (typed locally: see express-session-shim.d.ts). */
function sessionOf(req: express.Request): ExpressSession {
  return (req as unknown as { session: ExpressSession }).session;
}

/** Passport 0.7's `SessionManager.logIn`: regenerate, then `passport.user`, then an explicit save. */
function passportLogin(req: express.Request, user: string, done: (err?: unknown) => void): void {
  sessionOf(req).regenerate((err) => {
    if (err) return done(err);
    // regenerate() put a new session object on the request.
    const fresh = sessionOf(req);
    fresh.passport ??= {};
    fresh.passport.user = user;
    fresh.save((saveErr) => done(saveErr));
  });
}

export const create: AppFactory = async ({ redisUrl, db, namespace }) => {
  const redis = new Redis(redisUrl, { db });
  const app = express();
  app.use(
    session({
      store: new RedisStore({ client: redis, prefix: `${namespace}:` }),
      secret: 'bench-secret-bench-secret',
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: SESSION_TTL_MS },
    }),
  );
  app.get('/anon', (_req, res) => {
    res.send('ok');
  });
  app.get('/read', (req, res) => {
    res.send(sessionOf(req).passport?.user ?? 'anonymous');
  });
  app.post('/write', (req, res) => {
    sessionOf(req).lastPage = nextPage();
    res.send('ok');
  });
  app.post('/login', (req, res, next) => {
    passportLogin(req, nextUser(), (err) => (err ? next(err) : res.send('ok')));
  });
  app.post('/seed', (req, res, next) => {
    passportLogin(req, nextUser(), (err) => {
      if (err) return next(err);
      sessionOf(req).csrfToken = csrfToken();
      res.send('ok');
    });
  });
  return { listener: app, close: async () => void (await redis.quit()) };
};
