/** Ours on Koa: `@session/koa` over `@session/redis`, every option at its default. */
import { session } from '@session/koa';
import Koa from 'koa';
import { oursRepository } from './ours-repository.js';
import { type AppFactory, csrfToken, nextPage, nextUser } from './types.js';

export const create: AppFactory = async (context) => {
  const { repository, close } = await oursRepository(context);
  const app = new Koa();
  app.use(session({ repository }));
  app.use(async (ctx) => {
    switch (ctx.path) {
      case '/anon':
        ctx.body = 'ok';
        return;
      case '/read':
        ctx.body = ctx.session.principal ?? 'anonymous';
        return;
      case '/write':
        ctx.session.set('lastPage', nextPage());
        ctx.body = 'ok';
        return;
      case '/login':
        ctx.session.setPrincipal(nextUser());
        ctx.body = 'ok';
        return;
      case '/seed':
        ctx.session.setPrincipal(nextUser());
        ctx.session.set('csrfToken', csrfToken());
        ctx.body = 'ok';
        return;
    }
  });
  return { listener: app.callback(), close };
};
