import { MemorySessionRepository } from '@session/memory';
import { quietLogger } from '@session/testkit/http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { type FastifySessionOptions, session } from '../../src/index.js';

const running: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of running.splice(0)) await close();
});

/** A Fastify 5 app with the session plugin, closed (with its store) after the test. */
export async function sessionApp(options: Partial<FastifySessionOptions> = {}) {
  const repository = new MemorySessionRepository();
  const app = Fastify();
  await app.register(session, { repository, logger: quietLogger, ...options });
  running.push(async () => {
    app.server.closeAllConnections();
    await app.close();
    await repository.close();
  });
  return { app, repository };
}

/** Starts listening on a loopback port; resolves with the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a port');
  return `http://127.0.0.1:${address.port}`;
}
