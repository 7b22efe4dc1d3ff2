import type { AnyAttributes } from '@session/core';
import type { RequestSession } from '@session/http';
import type { Request } from 'express';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { getSession, type SessionAttributes, session } from '../src/index.js';

describe('req.session typing', () => {
  it('req.session is a RequestSession with string-keyed attributes until SessionData is augmented', () => {
    expectTypeOf<SessionAttributes>().toEqualTypeOf<AnyAttributes>();
    expectTypeOf<Request['session']>().toEqualTypeOf<RequestSession<SessionAttributes>>();
    const typed = (req: Request) => getSession<{ cart: string[] }>(req).get('cart');
    expectTypeOf(typed).returns.toEqualTypeOf<string[] | undefined>();
  });

  it('getSession and session() reject misuse with clear errors', () => {
    expect(() => getSession({} as Request)).toThrow(/session\(\) middleware/);
    expect(() => session({ repository: {} as never })).toThrow(/SessionRepository/);
  });
});
