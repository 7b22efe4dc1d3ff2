/** Ours on Express: `@session/express` over `@session/redis`, every option at its default. */
import { session } from '@session/express';
import express from 'express';
import { oursRepository } from './ours-repository.js';
import { type AppFactory, csrfToken, nextPage, nextUser } from './types.js';

export const create: AppFactory = async (context) => {
  const { repository, close } = await oursRepository(context);
  const app = express();
  app.use(session({ repository }));
  app.get('/anon', (_req, res) => {
    res.send('ok');
  });
  app.get('/read', (req, res) => {
    res.send(req.session.principal ?? 'anonymous');
  });
  app.post('/write', (req, res) => {
    req.session.set('lastPage', nextPage());
    res.send('ok');
  });
  app.post('/login', (req, res) => {
    req.session.setPrincipal(nextUser());
    res.send('ok');
  });
  app.post('/seed', (req, res) => {
    req.session.setPrincipal(nextUser());
    req.session.set('csrfToken', csrfToken());
    res.send('ok');
  });
  return { listener: app, close };
};
