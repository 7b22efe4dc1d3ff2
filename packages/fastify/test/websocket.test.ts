import websocket from '@fastify/websocket';
import { decodeBase64Id, findSetCookie, send, waitFor } from '@session/testkit/http';
import { WebSocketSessions } from '@session/ws';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { listen, sessionApp } from './support/app.js';

/** A socket whose messages are queued from the start (the server greets right after the handshake). */
interface Client {
  ws: WebSocket;
  next(): Promise<string>;
}

/** Resolves with the open socket, or with the HTTP status the upgrade was refused with. */
function connect(url: string, cookie?: string): Promise<{ client?: Client; status?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: cookie === undefined ? {} : { cookie } });
    const queue: string[] = [];
    const waiting: Array<(text: string) => void> = [];
    ws.on('message', (data) => {
      const text = String(data);
      const waiter = waiting.shift();
      if (waiter === undefined) queue.push(text);
      else waiter(text);
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

const closed = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );

/**
 * @fastify/websocket routes upgrades through Fastify's hooks, so @session/ws needs no adapter:
 * `authenticate(request.raw)` in a preValidation hook, `bind(socket, request.raw)` in the handler.
 */
async function liveApp() {
  const { app, repository } = await sessionApp();
  const sockets = new WebSocketSessions({ repository, pingIntervalMs: 0 });
  app.addHook('onClose', async () => sockets.close());
  await app.register(websocket);
  app.post('/login', async (request) => {
    request.session.setPrincipal('alice');
    request.session.set('user', 'alice');
    return { id: request.session.id };
  });
  app.post('/logout', async (request) => {
    await request.session.invalidate();
    return 'bye';
  });
  app.get(
    '/live',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        const result = await sockets.authenticate(request.raw);
        if (!result.ok) return reply.code(result.status).send(result.message);
      },
    },
    (socket, request) => {
      sockets.bind(socket, request.raw);
      socket.send(
        `hello ${String(request.session.get('user'))} (${sockets.sessionOf(socket)?.id === request.session.id})`,
      );
      socket.on('message', (data) => socket.send(`echo:${String(data)}`));
    },
  );
  const url = await listen(app);
  return { url, wsUrl: `${url.replace('http', 'ws')}/live`, sockets };
}

describe('WebSocket on Fastify (@fastify/websocket) with @session/ws', () => {
  it('refuses an upgrade without a session with 401', async () => {
    const { wsUrl, sockets } = await liveApp();
    expect((await connect(wsUrl)).status).toBe(401);
    expect(sockets.socketCount).toBe(0);
  });

  it('opens a socket for the session of the cookie; request.session is the same session', async () => {
    const { url, wsUrl } = await liveApp();
    const login = await send(`${url}/login`, { method: 'POST' });
    const value = findSetCookie(login.setCookies)?.value ?? '';
    const { client } = await connect(wsUrl, `SESSION=${value}`);
    if (client === undefined) throw new Error('upgrade refused');
    expect(await client.next()).toBe('hello alice (true)');
    client.ws.send('ping');
    expect(await client.next()).toBe('echo:ping');
    client.ws.close();
    expect(decodeBase64Id(value)).toBe(JSON.parse(login.body).id);
  });

  it('closes the socket with 1008 when its session is invalidated over HTTP', async () => {
    const { url, wsUrl, sockets } = await liveApp();
    const login = await send(`${url}/login`, { method: 'POST' });
    const cookie = `SESSION=${findSetCookie(login.setCookies)?.value}`;
    const { client } = await connect(wsUrl, cookie);
    if (client === undefined) throw new Error('upgrade refused');
    await client.next();
    const end = closed(client.ws);
    await send(`${url}/logout`, { method: 'POST', cookie });
    expect(await end).toEqual({ code: 1008, reason: 'Session ended' });
    await waitFor(() => sockets.socketCount === 0);
  });
});
