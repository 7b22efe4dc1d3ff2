import { Readable } from 'node:stream';
import {
  type AdapterAppOptions,
  type AdapterHarness,
  listenOnLoopback,
  type RunningApp,
  readBody,
  STREAM_CHUNKS,
} from '@session/testkit/http';
import type Koa from 'koa';
import type { Context } from 'koa';
import { session } from '../../src/index.js';

type KoaClass = typeof Koa;

type Route = (ctx: Context) => unknown;

const routes: Record<string, Route> = {
  'GET /anon': (ctx) => {
    ctx.body = 'anon';
  },
  'GET /read': (ctx) => {
    ctx.body = readBody(ctx.session);
  },
  'POST /set': (ctx) => {
    ctx.session.set(String(ctx.query.name ?? 'x'), String(ctx.query.value ?? ''));
    ctx.body = { id: ctx.session.id };
  },
  'POST /login': (ctx) => {
    ctx.session.setPrincipal(String(ctx.query.user ?? 'user'));
    ctx.body = { id: ctx.session.id };
  },
  'POST /login-keep-id': (ctx) => {
    ctx.session.setPrincipal(String(ctx.query.user ?? 'user'), { rotateId: false });
    ctx.body = { id: ctx.session.id };
  },
  'POST /rotate': (ctx) => {
    ctx.body = { id: ctx.session.changeSessionId() };
  },
  'POST /logout': async (ctx) => {
    await ctx.session.invalidate();
    ctx.body = 'bye';
  },
  'POST /logout-flash': async (ctx) => {
    await ctx.session.invalidate();
    ctx.session.set('flash', 'logged out');
    ctx.body = 'bye';
  },
  'POST /remember': (ctx) => {
    ctx.session.set('remember', 'yes');
    ctx.session.rememberMe();
    ctx.body = 'ok';
  },
  'POST /save-early': async (ctx) => {
    ctx.session.set('early', '1');
    await ctx.session.save();
    ctx.body = 'ok';
  },
  'GET /redirect': (ctx) => {
    ctx.session.set('via', 'redirect');
    ctx.redirect('/read');
  },
  'GET /stream': (ctx) => {
    ctx.session.set('via', 'stream');
    ctx.type = 'text/plain';
    ctx.body = Readable.from(Array.from({ length: STREAM_CHUNKS }, (_, i) => `chunk-${i}\n`));
  },
  'GET /raw': (ctx) => {
    ctx.session.set('via', 'raw');
    ctx.status = 200;
    ctx.respond = false;
    ctx.res.write('a');
    ctx.res.write('b');
    ctx.res.end('c');
  },
  'GET /json': (ctx) => {
    ctx.session.set('via', 'json');
    ctx.body = { ok: true };
  },
  'GET /late': (ctx) => {
    ctx.session.set('before', '1');
    ctx.status = 200;
    ctx.respond = false;
    ctx.res.write('x');
    setTimeout(() => {
      ctx.session.set('after', '2');
      ctx.res.end('y');
    }, 10);
  },
  'GET /error': (ctx) => {
    ctx.session.set('via', 'error');
    throw new Error('boom');
  },
  'GET /error-unhandled': (ctx) => {
    ctx.session.set('via', 'error-unhandled');
    throw new Error('boom');
  },
};

/** A harness serving the shared routes with one Koa major version. */
export function koaHarness(name: string, KoaApp: KoaClass): AdapterHarness {
  return {
    name,
    async start(options: AdapterAppOptions): Promise<RunningApp> {
      const app = new KoaApp();
      app.silent = true;
      if (options.frameworkTrustsProxy) app.proxy = true;
      if (!options.defaultErrorHandler) {
        app.use(async (ctx, next) => {
          try {
            await next();
          } catch (err) {
            if (ctx.path.endsWith('/error-unhandled')) throw err;
            const { status, code } = err as { status?: number; code?: string };
            ctx.status = status ?? 500;
            ctx.body = { error: code ?? 'internal' };
          }
        });
      }
      const { mountPath } = options;
      if (mountPath !== undefined) {
        // What koa-mount does: strip the prefix and record it as ctx.mountPath.
        app.use(async (ctx, next) => {
          if (!ctx.path.startsWith(mountPath)) return;
          (ctx as { mountPath?: string }).mountPath = mountPath;
          ctx.path = ctx.path.slice(mountPath.length) || '/';
          await next();
        });
      }
      app.use(session(options.session));
      app.use(async (ctx) => {
        const route = routes[`${ctx.method} ${ctx.path}`];
        if (route === undefined) {
          ctx.status = 404;
          return;
        }
        await route(ctx);
      });
      return listenOnLoopback(app);
    },
  };
}
