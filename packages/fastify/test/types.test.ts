import type { AnyAttributes } from '@session/core';
import type { FastifyRequest } from 'fastify';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type FastifySession, getSession, type SessionAttributes, session } from '../src/index.js';

describe('request.session typing', () => {
  it('request.session is a FastifySession with string-keyed attributes until SessionData is augmented', () => {
    expectTypeOf<SessionAttributes>().toEqualTypeOf<AnyAttributes>();
    expectTypeOf<FastifyRequest['session']>().toEqualTypeOf<FastifySession<SessionAttributes>>();
    const typed = (request: FastifyRequest) => getSession<{ cart: string[] }>(request).get('cart');
    expectTypeOf(typed).returns.toEqualTypeOf<string[] | undefined>();
  });

  it('getSession and the plugin reject misuse with clear errors', async () => {
    expect(() => getSession({} as FastifyRequest)).toThrow(/register the session plugin/);
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    await expect(app.register(session, { repository: {} as never })).rejects.toThrow(/SessionRepository/);
  });
});
