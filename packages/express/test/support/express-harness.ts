import { Readable } from 'node:stream';
import {
  type AdapterAppOptions,
  type AdapterHarness,
  listenOnLoopback,
  type RunningApp,
  readBody,
  STREAM_CHUNKS,
} from '@session/testkit/http';
import type express from 'express';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { session } from '../../src/index.js';

type ExpressFactory = typeof express;

const query = (req: Request): URLSearchParams => new URL(req.originalUrl, 'http://local').searchParams;

/** Express 4 does not catch rejected promises; route them to `next` in both versions. */
const handle =
  (fn: (req: Request, res: Response) => unknown): RequestHandler =>
  (req, res, next) => {
    Promise.resolve()
      .then(() => fn(req, res))
      .catch(next);
  };

function routes(factory: ExpressFactory): express.Router {
  const router = factory.Router();
  router.get('/anon', (_req, res) => {
    res.send('anon');
  });
  router.get('/read', (req, res) => {
    res.json(readBody(req.session));
  });
  router.post('/set', (req, res) => {
    req.session.set(query(req).get('name') ?? 'x', query(req).get('value') ?? '');
    res.json({ id: req.session.id });
  });
  router.post('/login', (req, res) => {
    req.session.setPrincipal(query(req).get('user') ?? 'user');
    res.json({ id: req.session.id });
  });
  router.post('/login-keep-id', (req, res) => {
    req.session.setPrincipal(query(req).get('user') ?? 'user', { rotateId: false });
    res.json({ id: req.session.id });
  });
  router.post('/rotate', (req, res) => {
    res.json({ id: req.session.changeSessionId() });
  });
  router.post(
    '/logout',
    handle(async (req, res) => {
      await req.session.invalidate();
      res.send('bye');
    }),
  );
  router.post(
    '/logout-flash',
    handle(async (req, res) => {
      await req.session.invalidate();
      req.session.set('flash', 'logged out');
      res.send('bye');
    }),
  );
  router.post('/remember', (req, res) => {
    req.session.set('remember', 'yes');
    req.session.rememberMe();
    res.send('ok');
  });
  router.post(
    '/save-early',
    handle(async (req, res) => {
      req.session.set('early', '1');
      await req.session.save();
      res.send('ok');
    }),
  );
  router.get('/redirect', (req, res) => {
    req.session.set('via', 'redirect');
    res.redirect('/read');
  });
  router.get('/stream', (req, res) => {
    req.session.set('via', 'stream');
    res.type('text/plain');
    Readable.from(Array.from({ length: STREAM_CHUNKS }, (_, i) => `chunk-${i}\n`)).pipe(res);
  });
  router.get('/raw', (req, res) => {
    req.session.set('via', 'raw');
    res.write('a');
    res.write('b');
    res.end('c');
  });
  router.get('/json', (req, res) => {
    req.session.set('via', 'json');
    res.json({ ok: true });
  });
  router.get('/late', (req, res) => {
    req.session.set('before', '1');
    res.write('x');
    setTimeout(() => {
      req.session.set('after', '2');
      res.end('y');
    }, 10);
  });
  router.get('/error', (req) => {
    req.session.set('via', 'error');
    throw new Error('boom');
  });
  router.get('/error-unhandled', (req) => {
    req.session.set('via', 'error-unhandled');
    throw new Error('boom');
  });
  return router;
}

const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (req.originalUrl.endsWith('/error-unhandled')) {
    next(err);
    return;
  }
  const { status, code } = err as { status?: number; code?: string };
  res.status(status ?? 500).json({ error: code ?? 'internal' });
};

/** A harness serving the shared routes with one Express major version. */
export function expressHarness(name: string, factory: ExpressFactory): AdapterHarness {
  return {
    name,
    async start(options: AdapterAppOptions): Promise<RunningApp> {
      const app = factory();
      app.set('env', 'test');
      if (options.frameworkTrustsProxy) app.set('trust proxy', true);
      const router = factory.Router();
      router.use(session(options.session));
      router.use(routes(factory));
      app.use(options.mountPath ?? '/', router);
      if (!options.defaultErrorHandler) app.use(errorHandler);
      return listen(app);
    },
  };
}

/** Listens on a free loopback port. */
export const listen = (app: ReturnType<ExpressFactory>): Promise<RunningApp> => listenOnLoopback(app);
