import type { AnyAttributes } from '@session/core';
import type { RequestSession } from '@session/http';
import Koa from 'koa';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { getSession, type SessionAttributes, session } from '../src/index.js';

describe('ctx.session typing', () => {
  it('ctx.session is a RequestSession in ordinary middleware, with string-keyed attributes until SessionData is augmented', () => {
    expectTypeOf<SessionAttributes>().toEqualTypeOf<AnyAttributes>();
    const app = new Koa();
    app.use((ctx) => {
      expectTypeOf(ctx.session).toEqualTypeOf<RequestSession<SessionAttributes>>();
      expectTypeOf(getSession<{ cart: string[] }>(ctx).get('cart')).toEqualTypeOf<string[] | undefined>();
    });
    expect(app.middleware).toHaveLength(1);
  });

  it('getSession and session() reject misuse with clear errors', () => {
    expect(() => getSession({})).toThrow(/session\(\) middleware/);
    expect(() => session({ repository: {} as never })).toThrow(/SessionRepository/);
  });
});
