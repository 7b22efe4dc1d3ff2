import { createServer, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  consoleLogger,
  getPrincipalName,
  isSessionError,
  type Session,
  type SessionLogger,
  type SessionRepository,
} from '@session/core';
import { session } from '@session/express';
import { WebSocketSessions } from '@session/ws';
import express, { type NextFunction, type Request, type Response } from 'express';
import { WebSocketServer } from 'ws';
import { checkPassword, csrfMatches, isCrossSiteRequest, normalizeUsername, USERNAME_RULE } from './auth.js';
import { checkHealth } from './health.js';
import { type NoticeKey, noticeFor } from './notices.js';
import {
  apiMe,
  apiSessions,
  type DemoSessionData,
  demoResolver,
  listSessions,
  revokeByHandle,
  sessionRows,
  signIn,
} from './sessions-model.js';
import { liveScript } from './views/live-script.js';
import { type DemoFacts, livePage, loginPage, messagePage, sessionsPage } from './views/pages.js';
import { styles } from './views/styles.js';

declare module '@session/express' {
  interface SessionData extends DemoSessionData {}
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
  const resolver = demoResolver();

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

  /** Who is signing in, as the sessions list shows it. */
  const client = (req: Request) => ({ userAgent: req.get('user-agent'), address: req.ip });

  /** Shows a notice on the next page this client loads, once. */
  const flash = (req: Request, key: NoticeKey) => req.session.set('flash', key);

  /** The pending notice, removed from the session so a reload does not show it again. */
  const takeFlash = (req: Request) => {
    if (!req.session.has('flash')) return undefined;
    const notice = noticeFor(req.session.get('flash'));
    req.session.delete('flash');
    return notice;
  };

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
    signIn(req.session, username, 'browser', client(req));
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
    const rows = sessionRows(req.session, await listSessions(repository, req.session, username));
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
    const sessions = await listSessions(repository, req.session, req.session.principal as string);
    for (const id of sessions.keys()) if (id !== req.session.id) await repository.deleteById(id);
    flash(req, 'revoked-others');
    res.redirect(303, '/');
  });

  app.post('/sessions/:handle/revoke', requireUser, requireCsrf, async (req, res) => {
    // Only the user's own sessions can be found by handle; the current one is signed out with "Sign out".
    if (!(await revokeByHandle(repository, req.session, String(req.params.handle), false))) {
      res.status(404).type('html').send(messagePage('Not found', 'That session is already gone.'));
      return;
    }
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
    signIn(req.session, username, 'api', client(req));
    // Store now so the id in the body is final; the header resolver also returns it as X-Auth-Token.
    await req.session.save();
    res.json({ token: req.session.id, user: username, idleTimeoutMs: req.session.maxInactiveIntervalMs });
  });

  app.get('/api/me', requireApiUser, async (req, res) => {
    res.json(await apiMe(repository, req.session, 'express'));
  });

  app.get('/api/sessions', requireApiUser, async (req, res) => {
    res.json(await apiSessions(repository, req.session));
  });

  app.delete('/api/sessions/:handle', requireApiUser, async (req, res) => {
    if (!(await revokeByHandle(repository, req.session, String(req.params.handle), true))) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
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
