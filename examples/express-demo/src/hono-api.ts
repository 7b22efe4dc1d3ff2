/**
 * The demo's REST API served a second time, by Hono on `@hono/node-server`, on the same
 * repository as the Express app: a token (or browser cookie) from one framework works on the
 * other, because both run `@session/*` on the same store with the same resolver.
 *
 *   POST /api/login  {"username","password"}  -> {"token"}, also in X-Auth-Token
 *   GET  /api/me                                -> who is signed in, "servedBy": "hono"
 *   GET  /api/sessions                          -> every session of the user
 *   DELETE /api/sessions/:handle                -> revoke one
 *   POST /api/logout                            -> end this session
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import {
  consoleLogger,
  isSessionError,
  type Session,
  type SessionLogger,
  type SessionRepository,
} from '@session/core';
import { honoSession } from '@session/fetch/hono';
import { webHeadersView } from '@session/http';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { checkPassword, isCrossSiteRequest, normalizeUsername, USERNAME_RULE } from './auth.js';
import {
  apiMe,
  apiSessions,
  type DemoSessionData,
  demoResolver,
  revokeByHandle,
  signIn,
} from './sessions-model.js';

declare module '@session/fetch' {
  interface SessionData extends DemoSessionData {}
}

/** How to build the Hono API. */
export interface HonoApiOptions {
  /** The Express app's repository: sessions are shared through it. */
  repository: SessionRepository<Session>;
  logger?: SessionLogger;
}

/** The REST API as a Hono app. */
export function createHonoApi(options: HonoApiOptions): Hono {
  const { repository } = options;
  const logger = options.logger ?? consoleLogger;
  const app = new Hono();

  // State-changing requests from other sites are refused before they reach the session.
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    if (isCrossSiteRequest(webHeadersView(c.req.raw.headers))) {
      return c.json({ error: 'cross_site_request' }, 403);
    }
    await next();
  });
  app.use(
    '/api/*',
    bodyLimit({ maxSize: 4 * 1024, onError: (c) => c.json({ error: 'Request too large' }, 413) }),
  );
  app.use('/api/*', honoSession({ repository, resolver: demoResolver(), logger }));

  const requireUser: MiddlewareHandler = async (c, next) => {
    if (c.get('session').principal === undefined) {
      return c.json({ error: 'unauthenticated', message: 'Send X-Auth-Token from POST /api/login' }, 401);
    }
    await next();
  };

  app.post('/api/login', async (c) => {
    const body = ((await c.req.json().catch(() => ({}))) ?? {}) as Record<string, unknown>;
    const username = normalizeUsername(body.username);
    if (username === undefined || !checkPassword(body.password)) {
      return c.json(
        { error: 'invalid_credentials', message: `A username is ${USERNAME_RULE}; the password is "demo".` },
        401,
      );
    }
    const session = c.get('session');
    signIn(session, username, 'api', {
      userAgent: c.req.header('user-agent'),
      address: getConnInfo(c).remote.address,
    });
    // Store now so the id in the body is final; the header resolver also returns it as X-Auth-Token.
    await session.save();
    return c.json({ token: session.id, user: username, idleTimeoutMs: session.maxInactiveIntervalMs });
  });

  app.get('/api/me', requireUser, async (c) => c.json(await apiMe(repository, c.get('session'), 'hono')));

  app.get('/api/sessions', requireUser, async (c) => c.json(await apiSessions(repository, c.get('session'))));

  app.delete('/api/sessions/:handle', requireUser, async (c) => {
    if (!(await revokeByHandle(repository, c.get('session'), c.req.param('handle'), true))) {
      return c.json({ error: 'not_found' }, 404);
    }
    return c.body(null, 204);
  });

  app.post('/api/logout', requireUser, async (c) => {
    await c.get('session').invalidate();
    return c.body(null, 204);
  });

  app.notFound((c) => c.json({ error: 'not_found' }, 404));

  app.onError((error, c) => {
    if (isSessionError(error, 'SESSION_STORE_UNAVAILABLE'))
      return c.json({ error: 'Session store unavailable' }, 503);
    if (isSessionError(error, 'SESSION_SAVE_CONFLICT')) return c.json({ error: 'Try again' }, 409);
    logger.error('hono API request failed', error);
    return c.json({ error: 'Something went wrong' }, 500);
  });

  return app;
}

/** A listening Hono API. */
export interface HonoApiServer {
  /** Base URL, e.g. `http://localhost:4000`. */
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Serves the Hono API on `port` (0: a free one). */
export function listenHonoApi(app: Hono, port: number, host?: string): Promise<HonoApiServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      server.off('error', reject);
      const shown = host === undefined || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      resolve({
        url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${info.port}`,
        server: server as Server,
        close: () =>
          new Promise<void>((done) => {
            (server as Server).closeAllConnections();
            server.close(() => done());
          }),
      });
    });
    server.once('error', reject);
  });
}
