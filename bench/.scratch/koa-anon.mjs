import Koa from 'koa';
import { session } from '@session/koa';
import { HttpSessionManager, snapshotResponseHeaders } from '../../packages/http/dist/index.js';
import { MemorySessionRepository } from '@session/memory';
const mode = process.argv[2];
const app = new Koa();
const repository = new MemorySessionRepository();
if (mode === 'ours') app.use(session({ repository }));
if (mode === 'open' || mode === 'open-snap') {
  const manager = new HttpSessionManager({ repository });
  app.use(async (ctx, next) => {
    const controller = await manager.open({ request: ctx.req, response: ctx.res, get secure() { return ctx.secure; }, contextPath: '' });
    ctx.session = controller.session;
    if (mode === 'open-snap') snapshotResponseHeaders(ctx.res);
    await next();
    await controller.commit();
  });
}
if (mode === 'find') {
  const { findWithResolvedOptions } = await import('../../packages/http/dist/index.js');
  const m = new HttpSessionManager({ repository });
  app.use(async (ctx, next) => { await m.open({ request: ctx.req, response: ctx.res }); await next(); });
}
if (mode === 'openonly') {
  const manager = new HttpSessionManager({ repository });
  app.use(async (ctx, next) => { const c = await manager.open({ request: ctx.req, response: ctx.res }); await next(); });
}
if (mode === 'open-ctx') {
  const manager = new HttpSessionManager({ repository });
  app.use(async (ctx, next) => { const c = await manager.open({ request: ctx.req, response: ctx.res }); ctx.session = c.session; await next(); });
}
if (mode === 'open-commit') {
  const manager = new HttpSessionManager({ repository });
  app.use(async (ctx, next) => { const c = await manager.open({ request: ctx.req, response: ctx.res }); await next(); await c.commit(); });
}
if (mode === 'open-getter') {
  const manager = new HttpSessionManager({ repository });
  app.use(async (ctx, next) => { const c = await manager.open({ request: ctx.req, response: ctx.res, get secure() { return ctx.secure; } }); await next(); });
}
if (mode === 'async2') app.use(async (ctx, next) => { await Promise.resolve(); await next(); await Promise.resolve(); });
app.use(async (ctx) => { ctx.body = 'ok'; });
app.listen(Number(process.argv[3] ?? 18080), () => console.log('up'));
