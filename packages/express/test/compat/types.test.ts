import type { ExpressCompatSession, RequestSession, SessionAttributes } from '@session/express/compat';
import type { Request } from 'express';
import { describe, expectTypeOf, it } from 'vitest';

declare module '@session/express' {
  interface SessionData {
    visits: number;
    user: { name: string };
  }
}

describe('req.session typing under @session/express/compat', () => {
  it('importing the compat entry point types req.session as the express-session compatible object, with req.sessionID', () => {
    expectTypeOf<Request['session']>().toEqualTypeOf<ExpressCompatSession>();
    expectTypeOf<Request['sessionID']>().toEqualTypeOf<string>();
  });

  it('attributes are typed from SessionData, optional as in express-session', () => {
    const handler = (req: Request) => {
      req.session.visits = (req.session.visits ?? 0) + 1;
      return req.session.user?.name;
    };
    expectTypeOf(handler).returns.toEqualTypeOf<string | undefined>();
    expectTypeOf<ExpressCompatSession['visits']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<ExpressCompatSession['requestSession']>().toEqualTypeOf<RequestSession<SessionAttributes>>();
  });

  it('the methods take express-session callbacks and return the session for chaining', () => {
    const handler = (req: Request) => req.session.save((err) => err).regenerate(() => {});
    expectTypeOf(handler).returns.toEqualTypeOf<ExpressCompatSession>();
    expectTypeOf<ExpressCompatSession['cookie']['maxAge']>().toEqualTypeOf<number | null>();
  });
});
