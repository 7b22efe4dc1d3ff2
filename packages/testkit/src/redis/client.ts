import { createConnection } from 'node:net';
import type { Redis, RedisOptions } from 'ioredis';
import { RedisServerUnavailableError } from './errors.js';

/**
 * Redis connections for the launchers (PING, INFO, CLUSTER, ECHO), through ioredis: an
 * optional peer dependency of `@session/testkit/redis`, loaded on first use so the contract suite
 * (the package's main entry) never needs it, and failing with an "install ioredis" message
 * where it is missing. Every connection here connects once, never retries, and reports
 * connection problems through the awaited call, never as an unhandled `error` event.
 */

type IoredisModule = typeof import('ioredis');

let loading: Promise<IoredisModule> | undefined;

export function loadIoredis(): Promise<IoredisModule> {
  loading ??= import('ioredis').catch((err: unknown) => {
    loading = undefined;
    throw new RedisServerUnavailableError(
      '@session/testkit/redis talks to its servers through ioredis, which is not installed: npm install --save-dev ioredis',
      { cause: err },
    );
  });
  return loading;
}

/** A connection for one node that fails fast instead of reconnecting. */
async function newClient(
  host: string,
  port: number,
  timeoutMs: number,
  extra: RedisOptions = {},
): Promise<Redis> {
  const { Redis } = await loadIoredis();
  const client = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    // A launcher asks once and decides itself whether to try again.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // A server still loading its data answers PING with an error; that is for the caller to judge.
    enableReadyCheck: false,
    ...extra,
  });
  // Failures reach the caller through the rejected call; the event would only be noise.
  client.on('error', () => {});
  return client;
}

/** Connects to `host:port`, failing after `timeoutMs`. */
export async function connectNode(host: string, port: number, timeoutMs = 2000): Promise<Redis> {
  const client = await newClient(host, port, timeoutMs);
  try {
    await withTimeout(client.connect(), timeoutMs, `connect to ${host}:${port}`);
  } catch (err) {
    client.disconnect();
    throw err;
  }
  return client;
}

/** A running MONITOR connection. */
export interface MonitorConnection {
  stop(): void;
}

/**
 * Opens a MONITOR connection to `host:port`: `onLine` receives each command the server executes,
 * as the raw MONITOR line (`1700000000.123456 [0 127.0.0.1:5000] "get" "key"`).
 *
 * This one connection is a plain socket, not ioredis, for two reasons. ioredis switches a
 * connection to monitoring mode only after the `OK` to MONITOR has been handled, so a command
 * another client runs at that moment arrives as a reply nobody asked for and fails the connection
 * ("Command queue state error"); and its monitor event splits and unescapes lines lossily (bytes
 * escaped as `\xNN` stay escaped). MONITOR needs no RESP parser anyway: after the `+OK`, the server
 * sends nothing but `+<line>` simple strings, and every byte a line could break on is escaped.
 */
export function monitorNode(
  host: string,
  port: number,
  onLine: (line: string) => void,
  timeoutMs = 2000,
): Promise<MonitorConnection> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    socket.setEncoding('utf8');
    let started = false;
    let buffer = '';
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (!started) reject(err);
    };
    const timer = setTimeout(
      () => fail(new Error(`MONITOR on ${host}:${port} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('connect', () => socket.write('MONITOR\r\n'));
    socket.on('error', fail);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const reply = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (started) {
          if (reply.startsWith('+')) onLine(reply.slice(1));
          continue;
        }
        if (reply !== '+OK') {
          fail(new Error(`MONITOR on ${host}:${port} was refused: ${reply.slice(1)}`));
          return;
        }
        started = true;
        clearTimeout(timer);
        resolve({ stop: () => socket.destroy() });
      }
    });
  });
}

/** Opens a connection, runs one command and closes. Error replies reject. */
export async function runCommand(
  host: string,
  port: number,
  args: (string | number)[],
  timeoutMs = 2000,
): Promise<unknown> {
  const client = await connectNode(host, port, timeoutMs);
  try {
    const [command, ...rest] = args;
    return await withTimeout(
      client.call(String(command), ...rest),
      timeoutMs,
      `${String(command)} on ${host}:${port}`,
    );
  } finally {
    client.disconnect();
  }
}

/** Rejects with a clear message when `promise` does not settle within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Parses `INFO` text into `{ field: value }`. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return out;
}
