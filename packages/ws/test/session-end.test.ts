import { type RepositoryCapabilities, silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { describe, expect, it } from 'vitest';
import { closeAfterTest, sessionCookie, start, storedSession, withToken } from './support/fixtures.js';
import { closed, open, roundTrip, sleep } from './support/ws-app.js';

describe('sockets die with their session', () => {
  it('closes every socket of a revoked session with 1008 and leaves other sessions alone', async () => {
    const { app, repository } = await start();
    const revoked = await storedSession(repository);
    const other = await storedSession(repository);
    const tab1 = await open(app.url, withToken(revoked.id));
    const tab2 = await open(app.url, { headers: { Cookie: sessionCookie(revoked.id) } });
    const bystander = await open(app.url, withToken(other.id));
    const closes = Promise.all([closed(tab1), closed(tab2)]);

    await repository.deleteById(revoked.id);

    expect(await closes).toEqual([
      { code: 1008, reason: 'Session ended' },
      { code: 1008, reason: 'Session ended' },
    ]);
    expect(await roundTrip(bystander, 'still here')).toBe('echo:still here');
    expect(app.sessions.socketsOf(revoked.id)).toHaveLength(0);
  });

  it('without store events, notices a deleted session on the next message and an expired one on time', async () => {
    class QuietRepository extends MemorySessionRepository {
      override readonly capabilities: RepositoryCapabilities = { indexed: true, events: false };
    }
    const repository = closeAfterTest(new QuietRepository({ sweepIntervalMs: 20, logger: silentLogger }));
    const { app } = await start({ repository, touchIntervalMs: 0 });
    const deleted = await storedSession(repository);
    const expiring = await storedSession(repository, 600);
    const deletedWs = await open(app.url, withToken(deleted.id));
    const expiringWs = await open(app.url, withToken(expiring.id));
    const deletedClosed = closed(deletedWs);

    await repository.deleteById(deleted.id);
    await sleep(100);
    expect(deletedWs.readyState).toBe(deletedWs.OPEN);
    deletedWs.send('anyone there?');
    expect(await deletedClosed).toEqual({ code: 1008, reason: 'Session ended' });

    expect(await closed(expiringWs)).toEqual({ code: 1008, reason: 'Session expired' });
  });

  it('closeSession() refuses reconnects of that session for one minute of the configured clock, then lets them in', async () => {
    let now = Date.now();
    const { app, repository } = await start({ clock: () => now });
    // The app kicks the session's sockets without deleting the session.
    const session = await storedSession(repository);
    const first = await open(app.url, withToken(session.id));
    const firstClosed = closed(first);
    expect(app.sessions.closeSession(session.id)).toBe(1);
    expect(await firstClosed).toEqual({ code: 1008, reason: 'Session ended' });

    // A socket whose upgrade raced the end is closed as soon as it is bound.
    const raced = await open(app.url, withToken(session.id));
    expect(await closed(raced)).toEqual({ code: 1008, reason: 'Session ended' });

    now += 61_000;
    const later = await open(app.url, withToken(session.id));
    expect(await roundTrip(later, 'back')).toBe('echo:back');
    expect(app.sessions.socketsOf(session.id)).toHaveLength(1);
  });
});
