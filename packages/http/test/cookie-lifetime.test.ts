import { MemorySessionRepository } from '@session/memory';
import { describe, expect, it } from 'vitest';
import { COOKIE_MAX_AGE_ATTRIBUTE, CookieSessionIdResolver, HttpSessionManager } from '../src/index.js';
import { fakeExchange } from './support/fake-exchange.js';

async function open(options: { cookieMaxAgeSeconds?: number; rolling?: boolean } = {}) {
  const repository = new MemorySessionRepository();
  const manager = new HttpSessionManager({ repository, cookie: options });
  const { exchange, out } = fakeExchange();
  return { controller: await manager.open(exchange), out, repository, manager };
}

const setCookie = (out: Map<string, unknown>) => String(out.get('set-cookie') ?? '');

describe('a session of its own cookie lifetime (cookieMaxAgeSeconds on the session)', () => {
  it('is kept with the session, hidden from names(), and written as Max-Age', async () => {
    const { controller, out, repository } = await open();
    controller.session.set('user', 'alice');
    controller.session.cookieMaxAgeSeconds = 3600.2;
    expect(controller.session.cookieMaxAgeSeconds).toBe(3601);
    expect(controller.session.names()).toEqual(['user']);
    await controller.commit();
    controller.writeResponseHeaders();
    expect(setCookie(out)).toMatch(/Max-Age=3601/);
    expect((await repository.findById(controller.session.id))?.get(COOKIE_MAX_AGE_ATTRIBUTE)).toBe(3601);
  });

  it('null makes a browser-session cookie even when the resolver has a default Max-Age', async () => {
    const { controller, out } = await open({ cookieMaxAgeSeconds: 600 });
    controller.session.set('user', 'alice');
    controller.session.cookieMaxAgeSeconds = null;
    await controller.commit();
    controller.writeResponseHeaders();
    expect(setCookie(out)).not.toMatch(/Max-Age/);
  });

  it('remember-me still wins for the response it is called in', async () => {
    const { controller, out } = await open();
    controller.session.cookieMaxAgeSeconds = 60;
    controller.session.rememberMe();
    await controller.commit();
    controller.writeResponseHeaders();
    expect(setCookie(out)).toMatch(/Max-Age=34560000/);
  });

  it('refuses anything but a positive finite number, null or undefined', async () => {
    const { controller } = await open();
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '60'] as never[]) {
      expect(() => {
        controller.session.cookieMaxAgeSeconds = bad;
      }).toThrow(/cookieMaxAgeSeconds must be/);
    }
  });

  it('a stored value that is not a lifetime is ignored: the default applies', async () => {
    const resolver = new CookieSessionIdResolver({ cookieMaxAgeSeconds: 120 });
    const repository = new MemorySessionRepository();
    const stored = await repository.createSession();
    stored.set(COOKIE_MAX_AGE_ATTRIBUTE, 'forever');
    await repository.save(stored);
    const manager = new HttpSessionManager({ repository, resolver });
    const { exchange, out } = fakeExchange();
    exchange.request.headers = { cookie: `SESSION=${Buffer.from(stored.id).toString('base64')}` } as never;
    const controller = await manager.open(exchange);
    expect(controller.session.cookieMaxAgeSeconds).toBeUndefined();
    controller.writeResponseHeaders();
    expect(setCookie(out)).toMatch(/Max-Age=120/);
  });
});

describe('resolver options for rolling expiry and Priority', () => {
  it('refuses a rolling that is not a boolean and an unknown priority', () => {
    expect(() => new CookieSessionIdResolver({ rolling: 'yes' as never })).toThrow(
      /rolling must be a boolean/,
    );
    expect(() => new CookieSessionIdResolver({ priority: 'Urgent' as never })).toThrow(/priority must be/);
    expect(new CookieSessionIdResolver({ priority: 'high' as never }).attributes.priority).toBe('High');
  });
});
