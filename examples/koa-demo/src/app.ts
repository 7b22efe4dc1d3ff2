import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getPrincipalName, isIndexedRepository, type Session, type SessionRepository } from '@session/core';
import { CompositeSessionIdResolver, CookieSessionIdResolver, HeaderSessionIdResolver } from '@session/http';
import { session } from '@session/koa';
import { WebSocketSessions } from '@session/ws';
import Koa, { type Context } from 'koa';
import { WebSocketServer } from 'ws';
import { livePage, liveScript, loginPage, type Row, sessionsPage, styles, USERNAME_RULE } from './views.js';

declare module '@session/koa' {
  interface SessionData {
    userAgent: string;
    csrf: string;
  }
}

/** A built Koa demo: HTTP server (not listening yet) plus its WebSocket endpoint. */
export interface KoaDemo {
  readonly server: Server;
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4096;
const USERNAME = /^[\p{L}\p{N}._@-]{1,64}$/u;

/** Reads a small urlencoded or JSON body; anything bigger or malformed is an empty object. */
async function readBody(ctx: Context): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) ctx.throw(413, 'Body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (ctx.is('application/json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/**
 * A browser's word that a request comes from another site (`Sec-Fetch-Site`, or an `Origin` whose
 * host is not ours). Non-browser clients send neither and pass. Guards sign-in, which has no CSRF
 * token yet (a forged login would plant the attacker's account), and backs the tokens up elsewhere.
 */
function crossSite(ctx: Context): boolean {
  const site = ctx.get('sec-fetch-site');
  if (site !== '' && site !== 'same-origin' && site !== 'none') return true;
  const origin = ctx.get('origin');
  if (origin === '') return false;
  try {
    const { host } = new URL(origin);
    return host === '' || host.toLowerCase() !== ctx.get('host').toLowerCase();
  } catch {
    return true;
  }
}

const same = (a: unknown, b: unknown) =>
  typeof a === 'string' &&
  typeof b === 'string' &&
  a.length === b.length &&
  timingSafeEqual(Buffer.from(a), Buffer.from(b));
const handleOf = (id: string) => createHash('sha256').update(id).digest('base64url').slice(0, 22);
const deviceOf = (ua: unknown) => {
  const text = typeof ua === 'string' ? ua : '';
  const browser = /Firefox\//.test(text)
    ? 'Firefox'
    : /Chrome\//.test(text)
      ? 'Chrome'
      : /Safari\//.test(text)
        ? 'Safari'
        : text.split('/')[0] || 'Unknown client';
  const os = /iPhone|iPad/.test(text)
    ? 'iOS'
    : /Android/.test(text)
      ? 'Android'
      : /Mac OS X/.test(text)
        ? 'macOS'
        : /Windows/.test(text)
          ? 'Windows'
          : /Linux/.test(text)
            ? 'Linux'
            : '';
  return os ? `${browser} on ${os}` : browser;
};
const ago = (ms: number) => {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 5 ? 'just now' : s < 60 ? `${s} s ago` : `${Math.floor(s / 60)} min ago`;
};

/** The Express demo's core features on Koa: sign in, list and revoke sessions, REST, live socket. */
export function createKoaDemo(repository: SessionRepository<Session>): KoaDemo {
  const resolver = new CompositeSessionIdResolver([
    HeaderSessionIdResolver.xAuthToken(),
    new CookieSessionIdResolver(),
  ]);
  const app = new Koa();

  const sessionsOf = async (ctx: Context, user: string) =>
    isIndexedRepository(repository)
      ? repository.findByPrincipalName(user)
      : new Map([[ctx.session.id, ctx.session.unwrap() as unknown as Session]]);

  app.use(async (ctx, next) => {
    if (ctx.path === '/styles.css') ctx.type = 'text/css';
    else if (ctx.path === '/live.js') ctx.type = 'text/javascript';
    else return next();
    ctx.body = ctx.path === '/styles.css' ? styles : liveScript;
  });
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'OPTIONS' || !crossSite(ctx)) {
      return next();
    }
    ctx.status = 403;
    ctx.body = ctx.path.startsWith('/api/')
      ? { error: 'cross_site_request' }
      : 'Request refused: it came from another site.';
  });
  app.use(session({ repository, resolver }));
  app.use(async (ctx) => {
    const user = ctx.session.principal;
    const viewer =
      user === undefined ? undefined : { name: user, csrf: String(ctx.session.get('csrf') ?? '') };
    const route = `${ctx.method} ${ctx.path}`;
    const revoke = /^\/sessions\/([\w-]{22})\/revoke$/.exec(ctx.path);

    if (route === 'GET /login') {
      ctx.body = loginPage(
        undefined,
        ctx.query.notice === 'ended' ? 'Your session ended. Sign in again.' : undefined,
      );
    } else if (route === 'POST /login' || route === 'POST /api/login') {
      const body = await readBody(ctx);
      const name = typeof body.username === 'string' ? body.username.trim() : '';
      if (!USERNAME.test(name) || !same(body.password, 'demo')) {
        ctx.status = 401;
        ctx.body =
          route === 'POST /login'
            ? loginPage(`A username is ${USERNAME_RULE}; the password is "demo".`)
            : {
                error: 'invalid_credentials',
                message: `A username is ${USERNAME_RULE}; the password is "demo".`,
              };
        return;
      }
      ctx.session.setPrincipal(name);
      ctx.session.set('userAgent', ctx.get('user-agent'));
      ctx.session.set('csrf', randomBytes(18).toString('base64url'));
      if (route === 'POST /api/login') {
        await ctx.session.save();
        ctx.body = { token: ctx.session.id, user: name };
      } else {
        ctx.status = 303;
        ctx.redirect('/');
      }
    } else if (route === 'GET /api/me') {
      if (user === undefined) {
        ctx.status = 401;
        ctx.body = { error: 'unauthenticated', message: 'Send X-Auth-Token from POST /api/login' };
        return;
      }
      ctx.body = { user, sessions: (await sessionsOf(ctx, user)).size };
    } else if (viewer === undefined) {
      // Everything below needs a signed-in session; a presented id that finds none was revoked or expired.
      const ended =
        ctx.session.requestedSessionId === undefined && resolver.resolveSessionIds(ctx.req).length > 0;
      ctx.redirect(ended ? '/login?notice=ended' : '/login');
    } else if (route === 'GET /') {
      const rows: Row[] = [...(await sessionsOf(ctx, viewer.name)).values()]
        .map((s) => ({
          handle: handleOf(s.id),
          device: deviceOf((s as Session<Record<string, unknown>>).get('userAgent')),
          lastSeen: s.id === ctx.session.id ? 'just now' : ago(s.lastAccessedTime),
          current: s.id === ctx.session.id,
        }))
        .sort((a, b) => Number(b.current) - Number(a.current));
      ctx.body = sessionsPage(viewer, rows, ctx.query.notice === 'revoked' ? 'Session revoked.' : undefined);
    } else if (route === 'GET /live') {
      ctx.body = livePage(viewer);
    } else if (
      ctx.method === 'POST' &&
      (revoke !== null || ctx.path === '/sessions/revoke-others' || ctx.path === '/logout')
    ) {
      const body = await readBody(ctx);
      if (!same(body._csrf, viewer.csrf)) ctx.throw(403, 'Form expired; reload the page.');
      if (ctx.path === '/logout') {
        await ctx.session.invalidate();
        ctx.status = 303;
        ctx.redirect('/login');
        return;
      }
      for (const id of (await sessionsOf(ctx, viewer.name)).keys()) {
        if (id === ctx.session.id) continue;
        if (revoke === null || handleOf(id) === revoke[1]) await repository.deleteById(id);
      }
      ctx.status = 303;
      ctx.redirect('/?notice=revoked');
    } else {
      ctx.throw(404);
    }
  });

  const server = createServer(app.callback());
  const wss = new WebSocketServer({ noServer: true, path: '/live/socket' });
  const sockets = new WebSocketSessions<Session>({
    repository,
    resolver,
    authorize: (s) => getPrincipalName(s) !== undefined,
    touchIntervalMs: 15_000,
  });
  sockets.attach(server, wss);
  sockets.onConnection(wss, (ws) => {
    const tick = () => ws.readyState === ws.OPEN && ws.send(String(Date.now()));
    tick();
    const timer = setInterval(tick, 1000);
    ws.on('close', () => clearInterval(timer));
  });

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const { port: actual } = server.address() as AddressInfo;
          resolve(
            `http://${host === undefined || host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${actual}`,
          );
        });
      }),
    async close() {
      sockets.close();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
