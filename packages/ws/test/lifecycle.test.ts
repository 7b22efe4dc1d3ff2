import { type MapSession, silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { describe, expect, it } from 'vitest';
import { closeAfterTest, start, storedSession, withToken } from './support/fixtures.js';
import { eventually, open, roundTrip, sleep } from './support/ws-app.js';

/** Counts the store calls the socket layer makes. */
class CountingRepository extends MemorySessionRepository {
  finds = 0;
  saves = 0;
  override async findById(id: string) {
    this.finds++;
    return super.findById(id);
  }
  override async save(session: MapSession) {
    this.saves++;
    return super.save(session);
  }
}

describe('WebSocketSessions.close()', () => {
  it('stops watching: a later deletion leaves the socket open', async () => {
    const { app, repository } = await start();
    const session = await storedSession(repository);
    const ws = await open(app.url, withToken(session.id));
    app.sessions.close();
    await repository.deleteById(session.id);
    expect(await eventually(() => ws.readyState !== ws.OPEN, 300)).toBe(false);
  });

  it('messages on sockets that stay open no longer reach the store', async () => {
    const repository = closeAfterTest(new CountingRepository({ logger: silentLogger }));
    let now = Date.now();
    const { app } = await start({ repository, touchIntervalMs: 1000, clock: () => now });
    const session = await storedSession(repository);
    const ws = await open(app.url, withToken(session.id));
    app.sessions.close();
    repository.finds = 0;
    repository.saves = 0;
    now += 60_000;
    expect(await roundTrip(ws, 'after close')).toBe('echo:after close');
    await sleep(30);
    expect({ finds: repository.finds, saves: repository.saves }).toEqual({ finds: 0, saves: 0 });
    ws.close();
  });
});
