import { type MapSession, silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { open, roundTrip, sleep, startWsApp, type WsApp } from './helpers.js';

const apps: WsApp<MapSession>[] = [];
const repositories: MemorySessionRepository[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await Promise.all(repositories.splice(0).map((r) => r.close()));
});

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
  it('messages on sockets that stay open no longer reach the store', async () => {
    const repository = new CountingRepository({ logger: silentLogger });
    repositories.push(repository);
    let now = Date.now();
    const app = await startWsApp<MapSession>({
      repository,
      logger: silentLogger,
      touchIntervalMs: 1000,
      clock: () => now,
    });
    apps.push(app);
    const session = await repository.createSession();
    session.set('user', 'alice');
    await repository.save(session);
    const ws = await open(app.url, { headers: { 'X-Auth-Token': session.id } });
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
