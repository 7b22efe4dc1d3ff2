import { type MapSession, type RepositoryCapabilities, silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { describe, expect, it } from 'vitest';
import { closeAfterTest, memoryRepository, start, storedSession, withToken } from './support/fixtures.js';
import { closed, open, roundTrip, sleep } from './support/ws-app.js';

/** Deletes the session right after handing out a copy, as a revoke racing a touch would. */
class RacingRepository extends MemorySessionRepository {
  armed = false;
  override async findById(id: string) {
    const found = await super.findById(id);
    if (this.armed) {
      this.armed = false;
      await super.deleteById(id);
    }
    return found;
  }
}

/** The same race on a store that announces nothing: only the save's outcome tells. */
class QuietRacingRepository extends RacingRepository {
  override readonly capabilities: RepositoryCapabilities = { indexed: true, events: false };
}

describe('messages keep the session alive', () => {
  it('keeps a session alive past its idle timeout while messages flow; a silent one expires', async () => {
    const { app, repository } = await start({ touchIntervalMs: 60_000 });
    const chatty = await storedSession(repository, 1500);
    const silent = await storedSession(repository, 1500);
    const chattyWs = await open(app.url, withToken(chatty.id));
    const silentWs = await open(app.url, withToken(silent.id));
    const silentClosed = closed(silentWs);

    // 3.6 s is more than twice the 1.5 s idle timeout.
    const until = Date.now() + 3600;
    while (Date.now() < until) {
      await roundTrip(chattyWs, 'activity');
      await sleep(200);
    }

    expect(chattyWs.readyState).toBe(chattyWs.OPEN);
    expect(repository.peekStored(chatty.id)).not.toBeNull();
    expect(await silentClosed).toEqual({ code: 1008, reason: 'Session expired' });
    expect(repository.peekStored(silent.id)).toBeNull();
  });

  it('writes to the store at most once per touch interval, however many messages arrive', async () => {
    let finds = 0;
    class CountingRepository extends MemorySessionRepository {
      override async findById(id: string): Promise<MapSession | null> {
        finds++;
        return super.findById(id);
      }
    }
    const repository = closeAfterTest(new CountingRepository({ logger: silentLogger }));
    const { app } = await start({ repository, touchIntervalMs: 400 });
    const session = await storedSession(repository);
    const ws = await open(app.url, withToken(session.id));
    const afterUpgrade = finds;

    const started = Date.now();
    let messages = 0;
    while (Date.now() - started < 1000) {
      await roundTrip(ws, 'm');
      messages++;
    }
    const elapsed = Date.now() - started;
    const touches = finds - afterUpgrade;
    expect(messages).toBeGreaterThan(10);
    // One touch per 400 ms at most (about 3 in the second), and at least one: the session is kept alive.
    expect(touches).toBeGreaterThanOrEqual(1);
    expect(touches).toBeLessThanOrEqual(Math.floor(elapsed / 400) + 1);
    expect(touches).toBeLessThan(messages / 3);
  });

  it('counts pongs as activity only with touchOnPong', async () => {
    const repository = memoryRepository();
    const { app: pongs } = await start({ repository, touchOnPong: true, pingIntervalMs: 200 });
    const { app: plain } = await start({ repository, pingIntervalMs: 200 });
    const kept = await storedSession(repository, 1200);
    const dropped = await storedSession(repository, 1200);
    // ws clients answer pings by themselves, so these sockets send no messages at all.
    const keptWs = await open(pongs.url, withToken(kept.id));
    const droppedWs = await open(plain.url, withToken(dropped.id));

    expect(await closed(droppedWs)).toEqual({ code: 1008, reason: 'Session expired' });
    await sleep(1500);
    expect(keptWs.readyState).toBe(keptWs.OPEN);
    expect(repository.peekStored(kept.id)).not.toBeNull();
  });

  it('a touch racing a revoke does not bring the session back, and its sockets close', async () => {
    const repository = closeAfterTest(new RacingRepository({ logger: silentLogger }));
    let now = Date.now();
    const { app } = await start({ repository, touchIntervalMs: 1000, clock: () => now });
    const session = await storedSession(repository);
    const ws = await open(app.url, withToken(session.id));
    const ended = closed(ws);
    now += 5000;
    repository.armed = true;
    ws.send('activity');
    expect((await ended).code).toBe(1008);
    repository.armed = false;
    expect(await repository.findById(session.id)).toBeNull();
  });

  it('a touch whose save finds the session gone closes its sockets, even on a store without events', async () => {
    const repository = closeAfterTest(new QuietRacingRepository({ logger: silentLogger }));
    let now = Date.now();
    const { app } = await start({ repository, touchIntervalMs: 1000, clock: () => now });
    const session = await storedSession(repository);
    const ws = await open(app.url, withToken(session.id));
    const ended = closed(ws);
    now += 5000;
    repository.armed = true;
    ws.send('activity');
    expect(await ended).toEqual({ code: 1008, reason: 'Session ended' });
    expect(app.sessions.socketsOf(session.id)).toHaveLength(0);
  });
});
