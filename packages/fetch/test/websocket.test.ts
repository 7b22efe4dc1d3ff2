import { createNodeWebSocket } from '@hono/node-ws';
import { MemorySessionRepository } from '@session/memory';
import { findSetCookie, quietLogger, send, waitFor } from '@session/testkit/http';
import { WebSocketSessions } from '@session/ws';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { honoSession } from '../src/hono/index.js';
import { listen } from './support/hono-harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

interface Client {
  ws: WebSocket;
  next(): Promise<string>;
}

/** Resolves with the open socket (messages queued from the start), or the refused upgrade's status. */
function connect(url: string, cookie?: string): Promise<{ client?: Client; status?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: cookie === undefined ? {} : { cookie } });
    const queue: string[] = [];
    const waiting: Array<(text: string) => void> = [];
    ws.on('message', (data) => {
      const waiter = waiting.shift();
      if (waiter === undefined) queue.push(String(data));
      else waiter(String(data));
    });
    const next = () =>
      new Promise<string>((resolveText) => {
        const queued = queue.shift();
        if (queued === undefined) waiting.push(resolveText);
        else resolveText(queued);
      });
    ws.once('open', () => resolve({ client: { ws, next } }));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode });
    });
    ws.once('error', reject);
  });
}

/**
 * On @hono/node-server the upgrade request is `c.env.incoming`, and @hono/node-ws hands out the
 * `ws` socket as `ws.raw`: @session/ws authenticates and binds them as they are, no adapter needed.
 */
async function liveApp() {
  const repository = new MemorySessionRepository();
  const sockets = new WebSocketSessions({ repository, pingIntervalMs: 0, logger: quietLogger });
  const app = new Hono<{ Bindings: { incoming: import('node:http').IncomingMessage } }>();
  const { injectWebSocket, upgradeWebSocket } = createNodeWebSocket({ app });
  app.use(honoSession({ repository, logger: quietLogger }));
  app.post('/login', (c) => {
    c.get('session').setPrincipal('alice');
    c.get('session').set('user', 'alice');
    return c.json({ id: c.get('session').id });
  });
  app.post('/logout', async (c) => {
    await c.get('session').invalidate();
    return c.text('bye');
  });
  app.get(
    '/live',
    async (c, next) => {
      const result = await sockets.authenticate(c.env.incoming);
      if (!result.ok) return c.text(result.message, result.status);
      await next();
    },
    upgradeWebSocket((c) => ({
      onOpen(_event, ws) {
        sockets.bind(ws.raw as WebSocket, c.env.incoming);
        ws.send(`hello ${String(c.get('session').get('user'))}`);
      },
      onMessage(event, ws) {
        ws.send(`echo:${String(event.data)}`);
      },
    })),
  );
  const server = await listen(app);
  injectWebSocket(server.server);
  cleanups.push(async () => {
    sockets.close();
    await server.close();
    await repository.close();
  });
  return { url: server.url, wsUrl: `${server.url.replace('http', 'ws')}/live`, sockets };
}

describe('WebSocket on Hono (@hono/node-ws) with @session/ws', () => {
  it('refuses an upgrade without a session with 401', async () => {
    const { wsUrl, sockets } = await liveApp();
    expect((await connect(wsUrl)).status).toBe(401);
    expect(sockets.socketCount).toBe(0);
  });

  it("opens a socket for the cookie's session; c.get('session') is that session", async () => {
    const { url, wsUrl } = await liveApp();
    const login = await send(`${url}/login`, { method: 'POST' });
    const { client } = await connect(wsUrl, `SESSION=${findSetCookie(login.setCookies)?.value}`);
    if (client === undefined) throw new Error('upgrade refused');
    expect(await client.next()).toBe('hello alice');
    client.ws.send('ping');
    expect(await client.next()).toBe('echo:ping');
    client.ws.close();
  });

  it('closes the socket with 1008 when its session is invalidated over HTTP', async () => {
    const { url, wsUrl, sockets } = await liveApp();
    const login = await send(`${url}/login`, { method: 'POST' });
    const cookie = `SESSION=${findSetCookie(login.setCookies)?.value}`;
    const { client } = await connect(wsUrl, cookie);
    if (client === undefined) throw new Error('upgrade refused');
    await client.next();
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      client.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await send(`${url}/logout`, { method: 'POST', cookie });
    expect(await closed).toEqual({ code: 1008, reason: 'Session ended' });
    await waitFor(() => sockets.socketCount === 0);
  });
});
