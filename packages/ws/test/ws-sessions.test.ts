import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  InvalidArgumentError,
  type MapSession,
  type RepositoryCapabilities,
  SessionStoreUnavailableError,
  silentLogger,
} from '@session/core';
import { CookieSessionIdResolver, encodeSessionIdBase64 } from '@session/http';
import { MemorySessionRepository } from '@session/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { WebSocketSessions } from '../src/index.js';
import { closed, connect, eventually, open, roundTrip, sleep, startWsApp, type WsApp } from './helpers.js';

const apps: WsApp<MapSession>[] = [];
const repositories: MemorySessionRepository[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await Promise.all(repositories.splice(0).map((r) => r.close()));
});

function memoryRepository(): MemorySessionRepository {
  const repository = new MemorySessionRepository({ sweepIntervalMs: 20, logger: silentLogger });
  repositories.push(repository);
  return repository;
}

async function start(options: Partial<ConstructorParameters<typeof WebSocketSessions<MapSession>>[0]> = {}) {
  const repository = (options.repository as MemorySessionRepository | undefined) ?? memoryRepository();
  const app = await startWsApp<MapSession>({ logger: silentLogger, ...options, repository });
  apps.push(app);
  return { app, repository };
}

async function storedSession(repository: MemorySessionRepository, idleMs?: number): Promise<MapSession> {
  const session = await repository.createSession();
  if (idleMs !== undefined) session.maxInactiveIntervalMs = idleMs;
  session.set('user', 'alice');
  await repository.save(session);
  return session;
}

const withToken = (id: string) => ({ headers: { 'X-Auth-Token': id } });
// @session/http writes the cookie as Spring does: the base64 of the id.
const sessionCookie = (id: string) => `SESSION=${encodeSessionIdBase64(id)}`;

describe('upgrade', () => {
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

  it('reads ids through the resolver the HTTP side uses', async () => {
    const repository = memoryRepository();
    const session = await storedSession(repository);
    const resolver = new CookieSessionIdResolver({ cookieName: 'sid', useBase64Encoding: false });
    const { app } = await start({ repository, resolver });
    expect((await connect(app.url, { headers: { Cookie: `sid=${session.id}` } })).ws).toBeDefined();
    // This resolver reads only its cookie: the default cookie and header are not looked at.
    expect((await connect(app.url, withToken(session.id))).status).toBe(401);
    expect((await connect(app.url, { headers: { Cookie: sessionCookie(session.id) } })).status).toBe(401);
  });

  it('takes the id from a subprotocol entry and never selects the token as the protocol', async () => {
    const repository = memoryRepository();
    const session = await storedSession(repository);
    const sessions = new WebSocketSessions({ repository, protocolPrefix: 'session.', logger: silentLogger });
    const server = createServer();
    const wss = new WebSocketServer({ noServer: true, handleProtocols: sessions.handleProtocols });
    sessions.attach(server, wss);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const ws = await open(url, {}, ['chat', `session.${session.id}`]);
      expect(ws.protocol).toBe('chat');
      expect(sessions.socketsOf(session.id)).toHaveLength(1);
      ws.close();
      expect((await connect(url, {}, ['chat'])).status).toBe(401);
    } finally {
      sessions.close();
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads a query parameter only when configured', async () => {
    const repository = memoryRepository();
    const session = await storedSession(repository);
    const { app: off } = await start({ repository });
    expect((await connect(`${off.url}?access_token=${session.id}`)).status).toBe(401);
    const { app: on } = await start({ repository, queryParameter: 'access_token' });
    const ids: (string | null)[] = [];
    on.sessions.onConnection(on.wss, (ws) => ids.push(on.sessions.sessionOf(ws)?.id ?? null));
    await open(`${on.url}?access_token=${session.id}`);
    expect(ids).toEqual([session.id]);
  });

  it('refuses cookie-borne ids from another origin (403) but accepts the same host', async () => {
    const { app, repository } = await start();
    const session = await storedSession(repository);
    const cookie = sessionCookie(session.id);
    const host = new URL(app.url).host;
    const foreign = await connect(app.url, { headers: { Cookie: cookie }, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const same = await connect(app.url, { headers: { Cookie: cookie }, origin: `http://${host}` });
    expect(same.ws).toBeDefined();
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
    const down = new DownRepository({ logger: silentLogger });
    repositories.push(down);
    const { app: broken } = await start({ repository: down });
    expect((await connect(broken.url, withToken(session.id))).status).toBe(503);
  });

  it('works through verifyClient and track on a WebSocketServer that owns the server', async () => {
    const repository = memoryRepository();
    const session = await storedSession(repository);
    const sessions = new WebSocketSessions({ repository, logger: silentLogger });
    const server = createServer();
    const wss = new WebSocketServer({ server, verifyClient: sessions.verifyClient });
    sessions.track(wss);
    const ids: (string | null)[] = [];
    sessions.onConnection(wss, (ws) => ids.push(ws.sessionId));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      expect((await connect(url)).status).toBe(401);
      const ws = await open(url, withToken(session.id));
      expect(ids).toEqual([session.id]);
      await repository.deleteById(session.id);
      expect(await closed(ws)).toEqual({ code: 1008, reason: 'Session ended' });
    } finally {
      sessions.close();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rejects bad options with InvalidArgumentError', () => {
    const repository = memoryRepository();
    expect(() => new WebSocketSessions({ repository: {} as never })).toThrow(InvalidArgumentError);
    expect(() => new WebSocketSessions({ repository, touchIntervalMs: -1 })).toThrow(/touchIntervalMs/);
    expect(() => new WebSocketSessions({ repository, closeCode: 1006 })).toThrow(/closeCode/);
    expect(() => new WebSocketSessions({ repository, protocolPrefix: 'has space' })).toThrow(
      /protocolPrefix/,
    );
  });
});

describe('keep-alive', () => {
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
    const repository = new CountingRepository({ logger: silentLogger });
    repositories.push(repository);
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
});

describe('closing', () => {
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
    const repository = new QuietRepository({ sweepIntervalMs: 20, logger: silentLogger });
    repositories.push(repository);
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

  it('stops watching after close(): a later deletion leaves the socket open', async () => {
    const { app, repository } = await start();
    const session = await storedSession(repository);
    const ws = await open(app.url, withToken(session.id));
    app.sessions.close();
    await repository.deleteById(session.id);
    expect(await eventually(() => ws.readyState !== ws.OPEN, 300)).toBe(false);
  });
});
