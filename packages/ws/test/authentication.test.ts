import { type MapSession, SessionStoreUnavailableError, silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { PlainRepository } from '@session/testkit/http';
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  memoryRepository,
  sessionCookie,
  start,
  storedSession,
  withToken,
} from './support/fixtures.js';
import { connect, open, roundTrip, sleep, startWsApp } from './support/ws-app.js';

describe('who may open a socket', () => {
  it('refuses an upgrade without a session with 401', async () => {
    const { app } = await start();
    const attempt = await connect(app.url);
    expect(attempt.status).toBe(401);
    expect(app.sessions.socketCount).toBe(0);
  });

  it('refuses unknown, malformed and expired ids with 401', async () => {
    const { app, repository } = await start();
    const expired = await storedSession(repository, 200);
    await sleep(300);
    for (const id of ['A'.repeat(32), 'not a valid id!', expired.id]) {
      expect((await connect(app.url, withToken(id))).status).toBe(401);
    }
  });

  it('accepts a live session from the header or the cookie and exposes it on socket and request', async () => {
    const { app, repository } = await start();
    const session = await storedSession(repository);
    const seen: { socket: string | null; request: string | null; user: unknown }[] = [];
    app.sessions.onConnection(app.wss, (ws, req) => {
      seen.push({ socket: ws.sessionId, request: req.session?.id ?? null, user: ws.session?.get('user') });
    });

    const viaHeader = await open(app.url, withToken(session.id));
    expect(await roundTrip(viaHeader, 'hi')).toBe('echo:hi');
    const viaCookie = await open(app.url, {
      headers: { Cookie: `theme=dark; ${sessionCookie(session.id)}` },
    });
    expect(await roundTrip(viaCookie, 'hi')).toBe('echo:hi');

    expect(seen).toEqual([
      { socket: session.id, request: session.id, user: 'alice' },
      { socket: session.id, request: session.id, user: 'alice' },
    ]);
    expect(app.sessions.socketsOf(session.id)).toHaveLength(2);
  });

  it('lets anonymous sockets in only when allowed, with a null session', async () => {
    const { app } = await start({ allowAnonymous: true });
    const seen: unknown[] = [];
    app.sessions.onConnection(app.wss, (ws, req) => seen.push(ws.session, req.session));
    const ws = await open(app.url);
    expect(await roundTrip(ws, 'x')).toBe('echo:x');
    expect(seen).toEqual([null, null]);
  });

  it('answers 403 when authorize refuses and 503 when the store fails', async () => {
    const repository = memoryRepository();
    const session = await storedSession(repository);
    const { app: guarded } = await start({ repository, authorize: (s) => s.get('user') === 'bob' });
    expect((await connect(guarded.url, withToken(session.id))).status).toBe(403);

    class DownRepository extends MemorySessionRepository {
      override async findById(): Promise<MapSession | null> {
        throw new SessionStoreUnavailableError('redis is down');
      }
    }
    const down = closeAfterTest(new DownRepository({ logger: silentLogger }));
    const { app: broken } = await start({ repository: down });
    expect((await connect(broken.url, withToken(session.id))).status).toBe(503);
  });

  it('refuses with 401 a session deleted between the lookup and the recorded access', async () => {
    /** A store that does not touch on read, and deletes the session right after handing it out. */
    class RevokedMeanwhile extends PlainRepository {
      armed = false;
      override async findById(id: string) {
        const found = await super.findById(id);
        if (this.armed) await this.deleteById(id);
        return found;
      }
    }
    const repository = new RevokedMeanwhile();
    const session = await repository.createSession();
    session.set('user', 'alice');
    await repository.save(session);
    // A clock a little ahead, so the upgrade records an access and saves it.
    const app = await startWsApp<MapSession>({
      repository,
      logger: silentLogger,
      clock: () => Date.now() + 1000,
    });
    try {
      repository.armed = true;
      const attempt = await connect(app.url, withToken(session.id));
      expect(attempt.status).toBe(401);
      expect(repository.stored.has(session.id)).toBe(false);
    } finally {
      await app.close();
    }
  });
});
