import { createServer, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  consoleLogger,
  getPrincipalName,
  isIndexedRepository,
  isSessionError,
  type Session,
  type SessionLogger,
  type SessionRepository,
} from '@session/core';
import { session } from '@session/express';
import { CompositeSessionIdResolver, CookieSessionIdResolver, HeaderSessionIdResolver } from '@session/http';
import { WebSocketSessions } from '@session/ws';
import express, { type NextFunction, type Request, type Response } from 'express';
import { WebSocketServer } from 'ws';
import {
  checkPassword,
  csrfMatches,
  isCrossSiteRequest,
  newCsrfToken,
  normalizeUsername,
  sessionHandle,
  USERNAME_RULE,
} from './auth.js';
import { displayAddress } from './client-address.js';
import { describeDevice } from './device.js';
import { checkHealth } from './health.js';
import { type NoticeKey, noticeFor } from './notices.js';
import { liveScript } from './views/live-script.js';
import {
  type DemoFacts,
  livePage,
  loginPage,
  messagePage,
  type SessionRow,
  sessionsPage,
} from './views/pages.js';
import { styles } from './views/styles.js';

declare module '@session/express' {
  interface SessionData {
    userAgent: string;
    ip: string;
    via: 'browser' | 'api';
    csrf: string;
    signedInAt: Date;
    /** A one-time notice for the next page (see notices.ts). */
    flash: NoticeKey;
  }
}

/** How to build the demo. */
export interface DemoOptions {
  repository: SessionRepository<Session>;
  /** Shown on the page, e.g. `memory:`; never include credentials. */
  storeLabel: string;
  /** How often the live page sends a heartbeat. Default 10 s. */
  heartbeatMs?: number;
  logger?: SessionLogger;
}

/** A built demo: an HTTP server (not listening yet) with the WebSocket endpoint attached. */
export interface Demo {
  readonly server: Server;
  readonly sockets: WebSocketSessions<Session>;
  /** Starts listening; resolves with the base URL. */
  listen(port: number, host?: string): Promise<string>;
  /** Closes sockets, the server and the WebSocket session watcher (not the repository). */
  close(): Promise<void>;
}

/** Titles of the client errors the demo answers itself; others use Node's status text. */
const CLIENT_ERROR_TITLES: Record<number, string> = {
  400: 'Bad request',
  413: 'Request too large',
};

/** Builds the demo app on any repository: indexed stores list sessions, evented ones close sockets at once. */
export function createDemo(options: DemoOptions): Demo {
  const { repository, storeLabel } = options;
  const logger = options.logger ?? consoleLogger;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  // Browsers carry the id in a cookie, API clients in X-Auth-Token; the socket reads both the same way.
  const resolver = new CompositeSessionIdResolver([
    HeaderSessionIdResolver.xAuthToken(),
    new CookieSessionIdResolver(),
  ]);

  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy':
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
    });
    next();
  });
  app.get('/styles.css', (_req, res) =>
    res.type('text/css').set('Cache-Control', 'public, max-age=300').send(styles),
  );
  app.get('/live.js', (_req, res) =>
    res.type('text/javascript').set('Cache-Control', 'no-cache').send(liveScript),
  );
  // Healthy only while the store answers: every page needs it.
  app.get('/healthz', async (_req, res) => {
    const health = await checkHealth(repository);
    res
      .status(health.ok ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ ...health, storeLabel });
  });

  // State-changing requests from other sites are refused before they reach the session.
  app.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    if (!isCrossSiteRequest(req.headers)) return next();
    if (req.path.startsWith('/api/')) res.status(403).json({ error: 'cross_site_request' });
    else res.status(403).type('html').send(messagePage('Request refused', 'It came from another site.'));
  });
  app.use(session({ repository, resolver, logger }));
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));
  app.use(express.json({ limit: '4kb' }));

  const facts = (req: Request): DemoFacts => ({
    store: storeLabel,
    idleTimeoutMs: req.session.maxInactiveIntervalMs,
    origin: `${req.protocol}://${req.get('host') ?? 'localhost'}`,
  });

  /** Signs the request's session in as `username` (the id rotates: fixation protection). */
  const signIn = (req: Request, username: string, via: 'browser' | 'api') => {
    req.session.setPrincipal(username);
    req.session.set('userAgent', req.get('user-agent') ?? '');
    req.session.set('ip', displayAddress(req.ip) ?? '');
    req.session.set('via', via);
    req.session.set('csrf', newCsrfToken());
    req.session.set('signedInAt', new Date());
  };

  /** The user's sessions, current first, then most recently seen. */
  const listSessions = async (req: Request, username: string): Promise<Map<string, Session>> => {
    if (!isIndexedRepository(repository))
      return new Map([[req.session.id, req.session.unwrap() as unknown as Session]]);
    return repository.findByPrincipalName(username);
  };

  /** Shows a notice on the next page this client loads, once. */
  const flash = (req: Request, key: NoticeKey) => req.session.set('flash', key);

  /** The pending notice, removed from the session so a reload does not show it again. */
  const takeFlash = (req: Request) => {
    if (!req.session.has('flash')) return undefined;
    const notice = noticeFor(req.session.get('flash'));
    req.session.delete('flash');
    return notice;
  };

  const rowsFor = (req: Request, sessions: Map<string, Session>): SessionRow[] =>
    [...sessions.values()]
      .map((s) => {
        const attrs = s as Session<Record<string, unknown>>;
        const signedInAt = attrs.get('signedInAt');
        return {
          handle: sessionHandle(s.id),
          device: describeDevice(attrs.get('userAgent') as string | undefined),
          ip: displayAddress(attrs.get('ip') as string | undefined),
          via: attrs.get('via') === 'api' ? ('api' as const) : ('browser' as const),
          createdAt: signedInAt instanceof Date ? signedInAt.getTime() : s.creationTime,
          lastSeenAt: s.id === req.session.id ? Date.now() : s.lastAccessedTime,
          current: s.id === req.session.id,
        };
      })
      .sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt - a.lastSeenAt);

  const requireUser = (req: Request, res: Response, next: NextFunction) => {
    if (req.session.principal === undefined) {
      // An id that no longer finds a session means it was revoked or expired.
      const ended =
        req.session.requestedSessionId === undefined && resolver.resolveSessionIds(req).length > 0;
      if (ended) flash(req, 'session-ended');
      res.redirect('/login');
      return;
    }
    next();
  };

  const requireCsrf = (req: Request, res: Response, next: NextFunction) => {
    if (!csrfMatches(req.session.get('csrf'), (req.body as Record<string, unknown> | undefined)?._csrf)) {
      res.status(403).type('html').send(messagePage('Form expired', 'Reload the page and try again.'));
      return;
    }
    next();
  };

  const requireApiUser = (req: Request, res: Response, next: NextFunction) => {
    if (req.session.principal === undefined) {
      res.status(401).json({ error: 'unauthenticated', message: 'Send X-Auth-Token from POST /api/login' });
      return;
    }
    next();
  };

  // --- pages ---

  app.get('/login', (req, res) => {
    if (req.session.principal !== undefined) {
      res.redirect('/');
      return;
    }
    res.type('html').send(loginPage({ notice: takeFlash(req) }));
  });

  app.post('/login', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const username = normalizeUsername(body.username);
    if (username === undefined || !checkPassword(body.password)) {
      const error =
        username === undefined ? `A username is ${USERNAME_RULE}.` : 'Wrong password. It is "demo".';
      res
        .status(401)
        .type('html')
        .send(
          loginPage({ error, username: typeof body.username === 'string' ? body.username.slice(0, 64) : '' }),
        );
      return;
    }
    signIn(req, username, 'browser');
    res.redirect(303, '/');
  });

  app.post('/logout', requireUser, requireCsrf, async (req, res) => {
    await req.session.invalidate();
    // The session is a fresh one now: the notice travels in it to the sign-in page.
    flash(req, 'signed-out');
    res.redirect(303, '/login');
  });

  app.get('/', requireUser, async (req, res) => {
    const username = req.session.principal as string;
    const rows = rowsFor(req, await listSessions(req, username));
    const viewer = { username, csrf: String(req.session.get('csrf') ?? '') };
    res.type('html').send(sessionsPage({ viewer, rows, facts: facts(req), flash: takeFlash(req) }));
  });

  // It also ends API tokens (scripts using them get 401): the form says so and must be confirmed.
  app.post('/sessions/revoke-others', requireUser, requireCsrf, async (req, res) => {
    if ((req.body as Record<string, unknown>).confirm !== 'yes') {
      flash(req, 'revoke-not-confirmed');
      res.redirect(303, '/');
      return;
    }
    const sessions = await listSessions(req, req.session.principal as string);
    for (const id of sessions.keys()) if (id !== req.session.id) await repository.deleteById(id);
    flash(req, 'revoked-others');
    res.redirect(303, '/');
  });

  app.post('/sessions/:handle/revoke', requireUser, requireCsrf, async (req, res) => {
    const sessions = await listSessions(req, req.session.principal as string);
    // Only the user's own sessions can be found by handle; the current one is signed out with "Sign out".
    const target = [...sessions.keys()].find(
      (id) => sessionHandle(id) === req.params.handle && id !== req.session.id,
    );
    if (target === undefined) {
      res.status(404).type('html').send(messagePage('Not found', 'That session is already gone.'));
      return;
    }
    await repository.deleteById(target);
    flash(req, 'revoked');
    res.redirect(303, '/');
  });

  app.get('/live', requireUser, (req, res) => {
    const viewer = { username: req.session.principal as string, csrf: String(req.session.get('csrf') ?? '') };
    res.type('html').send(livePage({ viewer, facts: facts(req), heartbeatMs }));
  });

  // --- REST API (X-Auth-Token) ---

  app.post('/api/login', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const username = normalizeUsername(body.username);
    if (username === undefined || !checkPassword(body.password)) {
      res.status(401).json({
        error: 'invalid_credentials',
        message: `A username is ${USERNAME_RULE}; the password is "demo".`,
      });
      return;
    }
    signIn(req, username, 'api');
    // Store now so the id in the body is final; the header resolver also returns it as X-Auth-Token.
    await req.session.save();
    res.json({ token: req.session.id, user: username, idleTimeoutMs: req.session.maxInactiveIntervalMs });
  });

  app.get('/api/me', requireApiUser, async (req, res) => {
    const username = req.session.principal as string;
    const signedInAt = req.session.get('signedInAt');
    const sessions = await listSessions(req, username);
    res.json({
      user: username,
      signedInAt: signedInAt instanceof Date ? signedInAt.toISOString() : null,
      lastAccessedTime: new Date(req.session.lastAccessedTime).toISOString(),
      idleTimeoutMs: req.session.maxInactiveIntervalMs,
      sessions: sessions.size,
    });
  });

  app.get('/api/sessions', requireApiUser, async (req, res) => {
    const rows = rowsFor(req, await listSessions(req, req.session.principal as string));
    res.json(
      rows.map((r) => ({
        handle: r.handle,
        device: r.device.label,
        via: r.via,
        current: r.current,
        createdAt: new Date(r.createdAt).toISOString(),
        lastSeenAt: new Date(r.lastSeenAt).toISOString(),
      })),
    );
  });

  app.delete('/api/sessions/:handle', requireApiUser, async (req, res) => {
    const sessions = await listSessions(req, req.session.principal as string);
    const target = [...sessions.keys()].find((id) => sessionHandle(id) === req.params.handle);
    if (target === undefined) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    await repository.deleteById(target);
    res.status(204).end();
  });

  app.post('/api/logout', requireApiUser, async (req, res) => {
    await req.session.invalidate();
    res.status(204).end();
  });

  app.use((_req: Request, res: Response) => {
    res.status(404).type('html').send(messagePage('Not found', 'There is nothing at this address.'));
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const unavailable = isSessionError(err, 'SESSION_STORE_UNAVAILABLE');
    // Client mistakes (malformed JSON, a body too large) keep their 4xx status and are not logged.
    const given = (err as { status?: unknown } | null)?.status;
    const clientError = typeof given === 'number' && given >= 400 && given < 500 ? given : undefined;
    if (!unavailable && clientError === undefined) logger.error('demo request failed', err);
    const status = unavailable ? 503 : (clientError ?? 500);
    const title = unavailable
      ? 'Session store unavailable'
      : clientError !== undefined
        ? (CLIENT_ERROR_TITLES[clientError] ?? STATUS_CODES[clientError] ?? 'Bad request')
        : 'Something went wrong';
    const advice =
      status === 413 ? 'The form sent more than this demo accepts (4 kB).' : 'Try again in a moment.';
    if (req.path.startsWith('/api/')) res.status(status).json({ error: title });
    else res.status(status).type('html').send(messagePage(title, advice));
  });

  // --- the live WebSocket ---

  const server = createServer(app);
  const wss = new WebSocketServer({ noServer: true, path: '/live/socket' });
  const sockets = new WebSocketSessions<Session>({
    repository,
    resolver,
    // Only signed-in sessions may open the live page's socket.
    authorize: (s) => getPrincipalName(s) !== undefined,
    // Heartbeats arrive every 10 s; one store write per 15 s is plenty to keep a 30-minute session alive.
    touchIntervalMs: 15_000,
    logger,
  });
  sockets.attach(server, wss);
  sockets.onConnection(wss, (ws) => {
    const openedAt = Date.now();
    const tick = () => {
      const current = ws.session;
      if (current === null || ws.readyState !== ws.OPEN) return;
      const idle = current.maxInactiveIntervalMs;
      ws.send(
        JSON.stringify({
          type: 'tick',
          now: Date.now(),
          connectedSeconds: Math.round((Date.now() - openedAt) / 1000),
          idleUntil: idle < 0 ? null : current.lastAccessedTime + idle,
        }),
      );
    };
    tick();
    const timer = setInterval(tick, 1000);
    ws.on('close', () => clearInterval(timer));
    // Messages are heartbeats; WebSocketSessions already counted them as activity.
    ws.on('message', tick);
  });

  return {
    server,
    sockets,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = host === undefined || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
          resolve(`http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`);
        });
      });
    },
    async close() {
      sockets.close();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
