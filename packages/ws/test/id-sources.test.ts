import { createServer } from 'node:http';
import { type AddressInfo, connect as connectTcp } from 'node:net';
import { silentLogger } from '@session/core';
import { CookieSessionIdResolver } from '@session/http';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { WebSocketSessions } from '../src/index.js';
import { memoryRepository, sessionCookie, start, storedSession, withToken } from './support/fixtures.js';
import { connect, open } from './support/ws-app.js';

describe('where an upgrade carries its session id', () => {
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

  it('a request target that is no URL is a plain 401 for query tokens, not a 500 with an error logged', async () => {
    const errors: unknown[] = [];
    const logger = { ...silentLogger, error: (...args: unknown[]) => errors.push(args) };
    const { app } = await start({ logger, queryParameter: 'access_token' });
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
