import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
  type AdapterAppOptions,
  type AdapterHarness,
  type RunningApp,
  readBody,
  STREAM_CHUNKS,
} from '@session/testkit/http';
import type Fastify from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { session } from '../../src/index.js';

type FastifyFactory = typeof Fastify;

const query = (request: FastifyRequest) => request.query as Record<string, string | undefined>;

/** The suite's routes, written the way Fastify apps write them. */
function routes(app: FastifyInstance): void {
  app.get('/anon', async () => 'anon');
  app.get('/read', async (request) => readBody(request.session));
  app.post('/set', async (request) => {
    request.session.set(query(request).name ?? 'x', query(request).value ?? '');
    return { id: request.session.id };
  });
  app.post('/login', async (request) => {
    request.session.setPrincipal(query(request).user ?? 'user');
    return { id: request.session.id };
  });
  app.post('/login-keep-id', async (request) => {
    request.session.setPrincipal(query(request).user ?? 'user', { rotateId: false });
    return { id: request.session.id };
  });
  app.post('/rotate', async (request) => ({ id: request.session.changeSessionId() }));
  app.post('/logout', async (request) => {
    await request.session.invalidate();
    return 'bye';
  });
  app.post('/logout-flash', async (request) => {
    await request.session.invalidate();
    request.session.set('flash', 'logged out');
    return 'bye';
  });
  app.post('/remember', async (request) => {
    request.session.set('remember', 'yes');
    request.session.rememberMe();
    return 'ok';
  });
  app.post('/save-early', async (request) => {
    request.session.set('early', '1');
    await request.session.save();
    return 'ok';
  });
  app.get('/redirect', async (request, reply) => {
    request.session.set('via', 'redirect');
    return reply.redirect('/read');
  });
  app.get('/stream', async (request, reply) => {
    request.session.set('via', 'stream');
    reply.type('text/plain');
    return reply.send(Readable.from(Array.from({ length: STREAM_CHUNKS }, (_, i) => `chunk-${i}\n`)));
  });
  // Below Fastify's reply: writes to the Node response itself.
  app.get('/raw', async (request, reply) => {
    request.session.set('via', 'raw');
    reply.raw.write('a');
    reply.raw.write('b');
    reply.raw.end('c');
    return reply;
  });
  app.get('/json', async (request) => {
    request.session.set('via', 'json');
    return { ok: true };
  });
  app.get('/late', async (request, reply) => {
    request.session.set('before', '1');
    reply.raw.write('x');
    setTimeout(() => {
      request.session.set('after', '2');
      reply.raw.end('y');
    }, 10);
    return reply;
  });
  app.get('/error', async (request) => {
    request.session.set('via', 'error');
    throw new Error('boom');
  });
  app.get('/error-unhandled', async (request) => {
    request.session.set('via', 'error-unhandled');
    throw new Error('boom');
  });
}

/** A harness serving the shared routes with one Fastify major version. */
export function fastifyHarness(name: string, factory: FastifyFactory): AdapterHarness {
  return {
    name,
    async start(options: AdapterAppOptions): Promise<RunningApp> {
      const app = factory({ trustProxy: options.frameworkTrustsProxy === true });
      await app.register(
        async (scope) => {
          await scope.register(session, options.session);
          if (!options.defaultErrorHandler) {
            scope.setErrorHandler((error, request, reply) => {
              // Rethrown: the next handler up, Fastify's default one, answers.
              if (request.url.endsWith('/error-unhandled')) throw error;
              const { status, code } = error as { status?: number; code?: string };
              reply.code(status ?? 500).send({ error: code ?? 'internal' });
            });
          }
          routes(scope);
        },
        { prefix: options.mountPath ?? '' },
      );
      return listen(app);
    },
  };
}

/** Listens on a free loopback port. */
export async function listen(app: FastifyInstance): Promise<RunningApp> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
