import Koa, { type Context, type Middleware, type Next } from 'koa';
import { KoaPassport } from 'koa-passport';
import { Strategy as LocalStrategy } from 'passport-local';

interface User {
  username: string;
}

/** Parses JSON request bodies into `ctx.request.body`, as koa-bodyparser does. */
const jsonBody: Middleware = async (ctx, next) => {
  if (ctx.is('application/json')) {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    (ctx.request as { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  }
  await next();
};

type Routes = Record<string, (ctx: Context, next: Next) => unknown>;

/**
 * An app written for koa-session with koa-passport and passport-local, as teams run it today. Only
 * the session middleware is handed in (made for the app, as koa-session needs);
 * `extra` adds routes.
 */
export function koaPassportApp(makeSession: (app: Koa) => Middleware, extra: Routes = {}): Koa {
  const passport = new KoaPassport();
  passport.use(
    new LocalStrategy((username, password, done) =>
      password === 'demo' ? done(null, { username }) : done(null, false),
    ),
  );
  passport.serializeUser((user, done) => done(null, (user as User).username));
  passport.deserializeUser((username: string, done) => done(null, { username }));

  const app = new Koa();
  app.keys = ['koa-app-key'];
  app.use(jsonBody);
  app.use(makeSession(app));
  app.use(passport.initialize());
  app.use(passport.session());
  const session = (ctx: Context) => ctx.session as unknown as Record<string, unknown>;
  const routes: Routes = {
    'POST /visit': (ctx) => {
      session(ctx).visited = true;
      ctx.body = { ok: true };
    },
    'POST /login': (ctx, next) =>
      passport.authenticate('local')(ctx, async () => {
        ctx.body = { user: (ctx.state.user as User).username };
        await next();
      }),
    'GET /me': (ctx) => {
      if (!ctx.isAuthenticated()) {
        ctx.status = 401;
        ctx.body = { user: null };
        return;
      }
      const data = session(ctx);
      data.visits = ((data.visits as number | undefined) ?? 0) + 1;
      ctx.body = { user: (ctx.state.user as User).username, visits: data.visits, cart: data.cart ?? [] };
    },
    'POST /cart': (ctx) => {
      const data = session(ctx);
      if (data.cart === undefined) data.cart = [];
      (data.cart as string[]).push(String((ctx.request as { body?: { item?: string } }).body?.item));
      ctx.body = { cart: data.cart };
    },
    'POST /logout': async (ctx) => {
      await ctx.logout();
      ctx.body = { ok: true };
    },
    ...extra,
  };
  app.use(async (ctx, next) => {
    const key = Object.keys(routes).find((route) => {
      const [method, pattern] = route.split(' ') as [string, string];
      return method === ctx.method && new RegExp(`^${pattern.replace(/:\w+/g, '[^/]+')}$`).test(ctx.path);
    });
    if (key === undefined) {
      ctx.status = 404;
      return;
    }
    await routes[key]?.(ctx, next);
  });
  return app;
}
