import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@session/core';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { WebSocketSessions } from '../src/index.js';
import { memoryRepository, storedSession, withToken } from './support/fixtures.js';
import { closed, connect, open } from './support/ws-app.js';

describe('which upgrades reach the session check', () => {
  it('an upgrade for a path no attached server serves is answered 400, not left open', async () => {
    const repository = memoryRepository();
    const server = createServer();
    const live = new WebSocketServer({ noServer: true, path: '/live' });
    const chat = new WebSocketServer({ noServer: true, path: '/chat' });
    const sessions = new WebSocketSessions({ repository, logger: silentLogger, pingIntervalMs: 0 });
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
});
