import { decodeBase64Id, findSetCookie, send } from '@session/testkit/http';
import { describe, expect, it } from 'vitest';
import { FastifySession } from '../src/index.js';
import { listen, sessionApp } from './support/app.js';

const cookieOf = (res: { setCookies: string[] }) => {
  const value = findSetCookie(res.setCookies)?.value ?? '';
  return { header: `SESSION=${value}`, id: decodeBase64Id(value), value };
};

describe('the @fastify/session API on request.session', () => {
  it('sessionId, get and set work as in @fastify/session; data() copies the attributes', async () => {
    const { app } = await sessionApp();
    app.post('/cart', async (request) => {
      request.session.set('cart', ['sku-1']);
      return { sessionId: request.session.sessionId, same: request.session.sessionId === request.session.id };
    });
    app.get('/cart', async (request) => ({
      cart: request.session.get('cart'),
      data: request.session.data(),
    }));
    const url = await listen(app);
    const created = await send(`${url}/cart`, { method: 'POST' });
    const cookie = cookieOf(created);
    expect(JSON.parse(created.body)).toEqual({ sessionId: cookie.id, same: true });
    const read = await send(`${url}/cart`, { cookie: cookie.header });
    expect(JSON.parse(read.body)).toEqual({ cart: ['sku-1'], data: { cart: ['sku-1'] } });
  });

  it('regenerate(keep) gives a new id, deletes the old session and keeps only the named fields', async () => {
    const { app, repository } = await sessionApp();
    app.post('/seed', async (request) => {
      request.session.set('keep', 'k');
      request.session.set('drop', 'd');
      return 'ok';
    });
    app.post('/regenerate', async (request) => {
      await request.session.regenerate(['keep']);
      return { id: request.session.id, names: request.session.names() };
    });
    const url = await listen(app);
    const before = cookieOf(await send(`${url}/seed`, { method: 'POST' }));
    const res = await send(`${url}/regenerate`, { method: 'POST', cookie: before.header });
    const after = cookieOf(res);
    expect(JSON.parse(res.body)).toEqual({ id: after.id, names: ['keep'] });
    expect(after.id).not.toBe(before.id);
    expect(await repository.findById(before.id)).toBeNull();
    expect((await repository.findById(after.id))?.names()).toEqual(['keep']);
  });

  it('regenerate, destroy and save also take Node-style callbacks', async () => {
    const { app, repository } = await sessionApp();
    app.post('/callbacks', (request, reply) => {
      request.session.set('a', 1);
      request.session.save((saveError) => {
        const savedId = request.session.id;
        request.session.regenerate((regenerateError) => {
          request.session.destroy((destroyError) => {
            reply.send({ errors: [saveError, regenerateError, destroyError].map((e) => e ?? null), savedId });
          });
        });
      });
    });
    const url = await listen(app);
    const res = await send(`${url}/callbacks`, { method: 'POST' });
    const body = JSON.parse(res.body);
    expect(body.errors).toEqual([null, null, null]);
    expect(await repository.findById(body.savedId)).toBeNull();
    expect(findSetCookie(res.setCookies)?.attributes.get('max-age')).toBe('0');
  });

  it('destroy() deletes the session and expires the cookie', async () => {
    const { app, repository } = await sessionApp();
    app.post('/seed', async (request) => {
      request.session.set('a', 1);
      return 'ok';
    });
    app.post('/destroy', async (request) => {
      await request.session.destroy();
      return 'bye';
    });
    const url = await listen(app);
    const cookie = cookieOf(await send(`${url}/seed`, { method: 'POST' }));
    const res = await send(`${url}/destroy`, { method: 'POST', cookie: cookie.header });
    expect(findSetCookie(res.setCookies)?.value).toBe('');
    expect(await repository.findById(cookie.id)).toBeNull();
  });

  it('reload() drops the changes of this request and reads what the store has now', async () => {
    const { app, repository } = await sessionApp();
    app.post('/seed', async (request) => {
      request.session.set('count', 1);
      return 'ok';
    });
    app.post('/reload', async (request) => {
      request.session.set('count', 99);
      request.session.set('scratch', 'x');
      // Another request (or service) changed the stored session meanwhile.
      const stored = await repository.findById(request.session.id);
      stored?.set('count', 2);
      if (stored) await repository.save(stored);
      await request.session.reload();
      return request.session.data();
    });
    const url = await listen(app);
    const cookie = cookieOf(await send(`${url}/seed`, { method: 'POST' }));
    const res = await send(`${url}/reload`, { method: 'POST', cookie: cookie.header });
    expect(JSON.parse(res.body)).toEqual({ count: 2 });
    expect((await repository.findById(cookie.id))?.names()).toEqual(['count']);
  });

  it('touch() records an access that the response saves', async () => {
    let now = Date.now();
    const { app, repository } = await sessionApp({ clock: () => now });
    app.post('/seed', async (request) => {
      request.session.set('a', 1);
      return 'ok';
    });
    app.post('/touch', async (request) => {
      now += 60_000;
      request.session.touch();
      return { lastAccessedTime: request.session.lastAccessedTime };
    });
    const url = await listen(app);
    const cookie = cookieOf(await send(`${url}/seed`, { method: 'POST' }));
    const res = await send(`${url}/touch`, { method: 'POST', cookie: cookie.header });
    const { lastAccessedTime } = JSON.parse(res.body);
    expect(lastAccessedTime).toBe(now);
    expect((await repository.findById(cookie.id))?.lastAccessedTime).toBeGreaterThanOrEqual(now);
  });

  it('request.session is a FastifySession wrapping the framework-neutral RequestSession', async () => {
    const { app } = await sessionApp();
    app.get('/kind', async (request) => ({
      fastify: request.session instanceof FastifySession,
      id: request.session.requestSession.id === request.session.id,
    }));
    const url = await listen(app);
    expect(JSON.parse((await send(`${url}/kind`)).body)).toEqual({ fastify: true, id: true });
  });
});
