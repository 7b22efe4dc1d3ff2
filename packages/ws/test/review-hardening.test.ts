import { createServer } from 'node:http';
import { type AddressInfo, connect as connectTcp } from 'node:net';
import { type MapSession, silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { WebSocketSessions } from '../src/index.js';
import { closed, connect, open, roundTrip, sleep, startWsApp, type WsApp } from './helpers.js';

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

describe('throttled touches', () => {
  it('a touch racing a revoke does not bring the session back, and its sockets close', async () => {
    const repository = new RacingRepository({ logger: silentLogger });
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
    const ended = closed(ws);
    now += 5000;
    repository.armed = true;
    ws.send('activity');
    expect((await ended).code).toBe(1008);
    repository.armed = false;
    expect(await repository.findById(session.id)).toBeNull();
  });
});

describe('query tokens', () => {
  it('a request target that is no URL is a plain 401, not a 500 with an error logged', async () => {
    const repository = new MemorySessionRepository({ logger: silentLogger });
    repositories.push(repository);
    const errors: unknown[] = [];
    const logger = { ...silentLogger, error: (...args: unknown[]) => errors.push(args) };
    const app = await startWsApp<MapSession>({ repository, logger, queryParameter: 'access_token' });
    apps.push(app);
    const { port } = new URL(app.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connectTcp(Number(port), '127.0.0.1', () => {
        socket.write(
          'GET //[?access_token=x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += String(chunk);
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
    expect(errors).toEqual([]);
  });
});

describe('attach() and paths', () => {
  it('an upgrade for a path no attached server serves is answered 400, not left open', async () => {
    const repository = new MemorySessionRepository({ logger: silentLogger });
    repositories.push(repository);
    const server = createServer();
    const live = new WebSocketServer({ noServer: true, path: '/live' });
    const chat = new WebSocketServer({ noServer: true, path: '/chat' });
    const sessions = new WebSocketSessions<MapSession>({
      repository,
      logger: silentLogger,
      pingIntervalMs: 0,
    });
    sessions.attach(server, live);
    sessions.attach(server, chat);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await connect(`${base}/elsewhere`)).status).toBe(400);
      // Paths that are served still get the session check.
      expect((await connect(`${base}/live`)).status).toBe(401);
      expect((await connect(`${base}/chat`)).status).toBe(401);
    } finally {
      sessions.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
