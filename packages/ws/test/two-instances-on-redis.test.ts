import { type MapSession, silentLogger } from '@session/core';
import { RedisIndexedSessionRepository } from '@session/redis';
import { type RedisTestServer, startRedisServer } from '@session/testkit/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closed, connect, open, roundTrip, sleep, startWsApp, type WsApp } from './support/ws-app.js';

// Two app instances, each with its own repository (and Redis connections), on one real redis-server.
let server: RedisTestServer;
let repoA: RedisIndexedSessionRepository;
let repoB: RedisIndexedSessionRepository;
let appA: WsApp<MapSession>;
let appB: WsApp<MapSession>;

beforeAll(async () => {
  server = await startRedisServer();
  const options = { url: server.url, namespace: 'ws-test', sweepIntervalMs: 100, logger: silentLogger };
  repoA = new RedisIndexedSessionRepository(options);
  repoB = new RedisIndexedSessionRepository(options);
  await Promise.all([repoA.ready(), repoB.ready()]);
  appA = await startWsApp({ repository: repoA, logger: silentLogger });
  appB = await startWsApp({ repository: repoB, logger: silentLogger });
});

afterAll(async () => {
  await appA?.close();
  await appB?.close();
  await repoA?.close();
  await repoB?.close();
  await server?.stop();
});

async function storedSession(idleMs?: number): Promise<MapSession> {
  const session = await repoA.createSession();
  if (idleMs !== undefined) session.maxInactiveIntervalMs = idleMs;
  session.set('user', 'alice');
  await repoA.save(session);
  return session;
}

const withToken = (id: string) => ({ headers: { 'X-Auth-Token': id } });

describe('two app instances on one Redis', () => {
  it('revoking on instance A closes the socket held by instance B with 1008', async () => {
    const session = await storedSession();
    const onB = await open(appB.url, withToken(session.id));
    const onA = await open(appA.url, withToken(session.id));
    expect(await roundTrip(onB, 'hi')).toBe('echo:hi');
    const closes = Promise.all([closed(onB), closed(onA)]);

    await repoA.deleteById(session.id);

    expect(await closes).toEqual([
      { code: 1008, reason: 'Session ended' },
      { code: 1008, reason: 'Session ended' },
    ]);
    expect(appB.sessions.socketsOf(session.id)).toHaveLength(0);
  });

  it('a session kept alive by messages on B stays in Redis; a silent one expires and its socket closes', async () => {
    const chatty = await storedSession(1500);
    const silent = await storedSession(1500);
    const chattyWs = await open(appB.url, withToken(chatty.id));
    const silentWs = await open(appB.url, withToken(silent.id));
    const silentClosed = closed(silentWs);

    const until = Date.now() + 3300;
    while (Date.now() < until) {
      await roundTrip(chattyWs, 'activity');
      await sleep(200);
    }

    expect(chattyWs.readyState).toBe(chattyWs.OPEN);
    expect(await repoA.findById(chatty.id)).not.toBeNull();
    expect(await silentClosed).toEqual({ code: 1008, reason: 'Session expired' });
    expect(await repoA.findById(silent.id)).toBeNull();
  });

  it('refuses the upgrade on B once A deleted the session', async () => {
    const session = await storedSession();
    await repoA.deleteById(session.id);
    expect((await connect(appB.url, withToken(session.id))).status).toBe(401);
  });
});
