/** Ours on Fastify: `@session/fastify` over `@session/redis`, every option at its default. */
import { session } from '@session/fastify';
import Fastify from 'fastify';
import { oursRepository } from './ours-repository.js';
import { type AppFactory, csrfToken, fastifyListener, nextPage, nextUser } from './types.js';

export const create: AppFactory = async (context) => {
  const { repository, close } = await oursRepository(context);
  const app = Fastify();
  await app.register(session, { repository });
  app.get('/anon', async () => 'ok');
  app.get('/read', async (request) => request.session.principal ?? 'anonymous');
  app.post('/write', async (request) => {
    request.session.set('lastPage', nextPage());
    return 'ok';
  });
  app.post('/login', async (request) => {
    request.session.setPrincipal(nextUser());
    return 'ok';
  });
  app.post('/seed', async (request) => {
    request.session.setPrincipal(nextUser());
    request.session.set('csrfToken', csrfToken());
    return 'ok';
  });
  return { listener: await fastifyListener(app), close };
};
