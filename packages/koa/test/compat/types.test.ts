import type { KoaCompatSession, RequestSession, SessionAttributes } from '@session/koa/compat';
import type { Context } from 'koa';
import { describe, expectTypeOf, it } from 'vitest';

declare module '@session/koa' {
  interface SessionData {
    views: number;
  }
}

describe('ctx.session typing under @session/koa/compat', () => {
  it('importing the compat entry point types ctx.session as the koa-session compatible object or null', () => {
    expectTypeOf<Context['session']>().toEqualTypeOf<KoaCompatSession | null>();
  });

  it('attributes are typed from SessionData; ctx.session can be set to null', () => {
    const handler = (ctx: Context) => {
      if (ctx.session === null) return undefined;
      ctx.session.views = (ctx.session.views ?? 0) + 1;
      const views = ctx.session.views;
      ctx.session = null;
      return views;
    };
    expectTypeOf(handler).returns.toEqualTypeOf<number | undefined>();
    expectTypeOf<KoaCompatSession['maxAge']>().toEqualTypeOf<number | 'session'>();
    expectTypeOf<KoaCompatSession['requestSession']>().toEqualTypeOf<RequestSession<SessionAttributes>>();
  });

  it('save and regenerate return a promise without a callback, nothing with one', () => {
    const handler = (session: KoaCompatSession) => session.save();
    expectTypeOf(handler).returns.toEqualTypeOf<Promise<void>>();
    const withCallback = (session: KoaCompatSession) => session.regenerate(() => {});
    expectTypeOf(withCallback).returns.toEqualTypeOf<void>();
  });
});
