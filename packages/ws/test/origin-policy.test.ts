import type { IncomingMessage } from 'node:http';
import { isValidSessionId } from '@session/core';
import { CompositeSessionIdResolver, CookieSessionIdResolver, type SessionIdResolver } from '@session/http';
import { describe, expect, it } from 'vitest';
import type { UpgradeIdResolver } from '../src/index.js';
import { sessionCookie, start, storedSession, withToken } from './support/fixtures.js';
import { connect } from './support/ws-app.js';

const FOREIGN = 'https://evil.example';

/** A custom resolver reading `Authorization: Bearer <id>`, declaring how its ids travel (or not). */
function bearerResolver(transport?: 'header' | 'cookie'): UpgradeIdResolver {
  return {
    ...(transport === undefined ? {} : { transport }),
    resolveSessionIds(req: { headers: IncomingMessage['headers'] }) {
      const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
      return match?.[1] !== undefined && isValidSessionId(match[1]) ? [match[1]] : [];
    },
  };
}

const bearer = (id: string) => ({ Authorization: `Bearer ${id}` });

describe('the Origin check for ids a browser sends by itself', () => {
  it('refuses cookie-borne ids from another origin (403) but accepts the same host', async () => {
    const { app, repository } = await start();
    const session = await storedSession(repository);
    const cookie = sessionCookie(session.id);
    const host = new URL(app.url).host;
    const foreign = await connect(app.url, { headers: { Cookie: cookie }, origin: FOREIGN });
    expect(foreign.status).toBe(403);
    const same = await connect(app.url, { headers: { Cookie: cookie }, origin: `http://${host}` });
    expect(same.ws).toBeDefined();
  });

  it('does not apply to X-Auth-Token ids: a browser cannot put a header on a WebSocket handshake', async () => {
    const { app, repository } = await start();
    const session = await storedSession(repository);
    const attempt = await connect(app.url, { ...withToken(session.id), origin: FOREIGN });
    expect(attempt.ws).toBeDefined();
  });

  it('follows what a custom resolver declares: transport "header" skips the check', async () => {
    const { app, repository } = await start({ resolver: bearerResolver('header') });
    const session = await storedSession(repository);
    const attempt = await connect(app.url, { headers: bearer(session.id), origin: FOREIGN });
    expect(attempt.ws).toBeDefined();
  });

  it('checks a custom resolver that declares nothing (or "cookie"), the safe assumption', async () => {
    for (const transport of [undefined, 'cookie'] as const) {
      const { app, repository } = await start({ resolver: bearerResolver(transport) });
      const session = await storedSession(repository);
      expect((await connect(app.url, { headers: bearer(session.id), origin: FOREIGN })).status).toBe(403);
      const host = new URL(app.url).host;
      const same = await connect(app.url, { headers: bearer(session.id), origin: `http://${host}` });
      expect(same.ws).toBeDefined();
    }
  });

  it('asks each resolver a composite combines, built-in or custom, about its own ids', async () => {
    const custom = {
      ...bearerResolver('header'),
      setSessionId() {},
      expireSession() {},
    } satisfies SessionIdResolver;
    const resolvers: SessionIdResolver[] = [custom, new CookieSessionIdResolver()];
    // The built-in composite and a hand-written one that follows the contract (`resolvers`).
    const composites: UpgradeIdResolver[] = [
      new CompositeSessionIdResolver(resolvers),
      { resolvers, resolveSessionIds: (req) => resolvers.flatMap((r) => r.resolveSessionIds(req)) },
    ];
    for (const resolver of composites) {
      const { app, repository } = await start({ resolver });
      const session = await storedSession(repository);
      const viaBearer = await connect(app.url, { headers: bearer(session.id), origin: FOREIGN });
      expect(viaBearer.ws).toBeDefined();
      const viaCookie = await connect(app.url, {
        headers: { Cookie: sessionCookie(session.id) },
        origin: FOREIGN,
      });
      expect(viaCookie.status).toBe(403);
    }
  });
});
