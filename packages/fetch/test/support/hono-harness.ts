import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import {
  type AdapterAppOptions,
  type AdapterHarness,
  type RunningApp,
  readBody,
  STREAM_CHUNKS,
} from '@session/testkit/http';
import { Hono } from 'hono';
import { baseRoutePath } from 'hono/route';
import { streamText } from 'hono/streaming';
import { honoSession, type SessionEnv } from '../../src/hono/index.js';

const text = new TextEncoder();

/** The suite's routes, written the way Hono apps write them. */
function routes(options: AdapterAppOptions): Hono<SessionEnv> {
  const app = new Hono<SessionEnv>();
  app.use(
    honoSession({
      ...options.session,
      trustProxy: options.frameworkTrustsProxy === true,
      contextPath: (c) => baseRoutePath(c),
    }),
  );
  app.get('/anon', (c) => c.text('anon'));
  app.get('/read', (c) => c.json(readBody(c.get('session'))));
  app.post('/set', (c) => {
    c.get('session').set(c.req.query('name') ?? 'x', c.req.query('value') ?? '');
    return c.json({ id: c.get('session').id });
  });
  app.post('/login', (c) => {
    c.get('session').setPrincipal(c.req.query('user') ?? 'user');
    return c.json({ id: c.get('session').id });
  });
  app.post('/login-keep-id', (c) => {
    c.get('session').setPrincipal(c.req.query('user') ?? 'user', { rotateId: false });
    return c.json({ id: c.get('session').id });
  });
  app.post('/rotate', (c) => c.json({ id: c.get('session').changeSessionId() }));
  app.post('/logout', async (c) => {
    await c.get('session').invalidate();
    return c.text('bye');
  });
  app.post('/logout-flash', async (c) => {
    await c.get('session').invalidate();
    c.get('session').set('flash', 'logged out');
    return c.text('bye');
  });
  app.post('/remember', (c) => {
    c.get('session').set('remember', 'yes');
    c.get('session').rememberMe();
    return c.text('ok');
  });
  app.post('/save-early', async (c) => {
    c.get('session').set('early', '1');
    await c.get('session').save();
    return c.text('ok');
  });
  app.get('/redirect', (c) => {
    c.get('session').set('via', 'redirect');
    return c.redirect('/read');
  });
  app.get('/stream', (c) => {
    c.get('session').set('via', 'stream');
    return streamText(c, async (stream) => {
      for (let i = 0; i < STREAM_CHUNKS; i++) await stream.write(`chunk-${i}\n`);
    });
  });
  // A Web Response of its own, past Hono's helpers.
  app.get('/raw', (c) => {
    c.get('session').set('via', 'raw');
    return new Response(
      new ReadableStream({
        start(controller) {
          for (const part of ['a', 'b', 'c']) controller.enqueue(text.encode(part));
          controller.close();
        },
      }),
    );
  });
  app.get('/json', (c) => {
    c.get('session').set('via', 'json');
    return c.json({ ok: true });
  });
  app.get('/late', (c) => {
    const session = c.get('session');
    session.set('before', '1');
    return new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(text.encode('x'));
          setTimeout(() => {
            session.set('after', '2');
            controller.enqueue(text.encode('y'));
            controller.close();
          }, 10);
        },
      }),
    );
  });
  app.get('/error', (c) => {
    c.get('session').set('via', 'error');
    throw new Error('boom');
  });
  app.get('/error-unhandled', (c) => {
    c.get('session').set('via', 'error-unhandled');
    throw new Error('boom');
  });
  return app;
}

/** What Hono's own default error handler answers. */
function honoDefault(error: Error): Response {
  if ('getResponse' in error && typeof error.getResponse === 'function')
    return error.getResponse() as Response;
  return new Response('Internal Server Error', { status: 500 });
}

/** A harness serving the shared routes with Hono on @hono/node-server. */
export const honoHarness: AdapterHarness = {
  name: 'hono (node server)',
  async start(options: AdapterAppOptions): Promise<RunningApp> {
    const app = new Hono();
    app.route(options.mountPath ?? '/', routes(options));
    if (!options.defaultErrorHandler) {
      app.onError((error, c) => {
        if (c.req.path.endsWith('/error-unhandled')) return honoDefault(error);
        const { status, code } = error as { status?: number; code?: string };
        return c.json({ error: code ?? 'internal' }, (status ?? 500) as 500);
      });
    }
    return listen(app);
  },
};

/** Serves `app` with @hono/node-server on a free loopback port. */
export async function listen(app: { fetch: (request: Request, env: never) => Response | Promise<Response> }) {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve(
      {
        fetch: app.fetch as (request: Request) => Response | Promise<Response>,
        port: 0,
        hostname: '127.0.0.1',
      },
      () => resolve(started),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        (server as import('node:http').Server).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
