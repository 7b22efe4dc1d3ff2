import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Session } from '@session/core';
import { type ClientOptions, WebSocket, WebSocketServer } from 'ws';
import { type WebSocketSessionOptions, WebSocketSessions } from '../../src/index.js';

/** An HTTP server with a noServer WebSocketServer whose upgrades go through WebSocketSessions. */
export interface WsApp<S extends Session> {
  readonly url: string;
  readonly server: Server;
  readonly wss: WebSocketServer;
  readonly sessions: WebSocketSessions<S>;
  close(): Promise<void>;
}

export async function startWsApp<S extends Session>(options: WebSocketSessionOptions<S>): Promise<WsApp<S>> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const sessions = new WebSocketSessions<S>({ pingIntervalMs: 0, ...options });
  sessions.attach(server, wss);
  // Echo, so tests can tell a socket is really usable.
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo:${String(data)}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/live`,
    server,
    wss,
    sessions,
    async close() {
      sessions.close();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The result of a connection attempt: an open socket, or the HTTP status the upgrade got. */
export type Attempt =
  | { ws: WebSocket; status?: undefined }
  | { ws?: undefined; status: number; body: string };

export function connect(url: string, options: ClientOptions = {}, protocols?: string[]): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

/** Opens a socket that must be accepted. */
export async function open(
  url: string,
  options: ClientOptions = {},
  protocols?: string[],
): Promise<WebSocket> {
  const attempt = await connect(url, options, protocols);
  if (attempt.ws === undefined) throw new Error(`upgrade refused with ${attempt.status}: ${attempt.body}`);
  return attempt.ws;
}

/** Resolves with the close code and reason once the socket closes. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve({ code: -1, reason: 'already closed' });
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

/** Sends a message and waits for the echo, proving the socket works end to end. */
export function roundTrip(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: unknown) => {
      ws.off('close', onClose);
      resolve(String(data));
    };
    const onClose = () => {
      ws.off('message', onMessage);
      reject(new Error('socket closed before the echo'));
    };
    ws.once('message', onMessage);
    ws.once('close', onClose);
    ws.send(text);
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(25);
  }
  return check();
}
