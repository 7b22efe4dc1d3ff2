import {
  InvalidStoreConfigError,
  isSessionError,
  redactStoreUrl,
  SessionStoreUnavailableError,
} from '@session/core';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from './options.js';

const CLUSTER_SCHEMES = ['redis-cluster:', 'redis+cluster:'];

/** True for `redis-cluster://` and `redis+cluster://` URLs. */
export function isClusterUrl(url: string): boolean {
  const lower = url.toLowerCase();
  return CLUSTER_SCHEMES.some((scheme) => lower.startsWith(scheme));
}

/** A parsed `redis-cluster://[user:pass@]host:port,host:port[?tls=true]` URL. */
export interface ClusterUrl {
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  tls: boolean;
}

/** Parses a cluster URL; `URL` cannot, because of the comma-separated hosts. */
export function parseClusterUrl(url: string): ClusterUrl {
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const [authority = '', query = ''] = rest.split('?', 2) as [string, string?];
  const at = authority.lastIndexOf('@');
  const credentials = at >= 0 ? authority.slice(0, at) : '';
  const hosts = (at >= 0 ? authority.slice(at + 1) : authority).replace(/\/+$/, '');
  const nodes = hosts
    .split(',')
    .filter((h) => h !== '')
    .map((hostPort) => {
      // `host`, `host:port`, `[v6]` or `[v6]:port`; a host never holds ':', '/' or brackets.
      const match = /^(?:\[([^\]/]+)\]|([^:/[\]]+))(?::(\d+))?$/.exec(hostPort);
      const host = match?.[1] ?? match?.[2];
      const port = Number(match?.[3] ?? 6379);
      if (host === undefined || !Number.isInteger(port) || port <= 0 || port > 65535) {
        throw new InvalidStoreConfigError(`Invalid cluster node "${hostPort}" in ${redactUrl(url)}`);
      }
      return { host, port };
    });
  if (nodes.length === 0) throw new InvalidStoreConfigError(`No cluster nodes in ${redactUrl(url)}`);
  const out: ClusterUrl = { nodes, tls: new URLSearchParams(query).get('tls') === 'true' };
  if (credentials !== '') {
    const colon = credentials.indexOf(':');
    const decode = (text: string): string => {
      try {
        return decodeURIComponent(text);
      } catch {
        throw new InvalidStoreConfigError(
          `Malformed percent-encoding in the credentials of ${redactUrl(url)}`,
        );
      }
    };
    const user = decode(colon >= 0 ? credentials.slice(0, colon) : '');
    const pass = decode(colon >= 0 ? credentials.slice(colon + 1) : credentials);
    if (user !== '') out.username = user;
    if (pass !== '') out.password = pass;
  }
  return out;
}

/** The URL with any password replaced, for messages (core's `redactStoreUrl`). */
export const redactUrl: (url: string) => string = redactStoreUrl;

/** Opens an ioredis client for a `redis://`, `rediss://` or cluster URL. */
export function createClient(url: string, options: RedisOptions | ClusterOptions = {}): RedisClient {
  if (isClusterUrl(url)) {
    const parsed = parseClusterUrl(url);
    const clusterOptions = options as ClusterOptions;
    const redisOptions: RedisOptions = { ...clusterOptions.redisOptions };
    if (parsed.username !== undefined) redisOptions.username = parsed.username;
    if (parsed.password !== undefined) redisOptions.password = parsed.password;
    if (parsed.tls && redisOptions.tls === undefined) redisOptions.tls = {};
    return new Cluster(parsed.nodes, { ...clusterOptions, redisOptions });
  }
  const lower = url.toLowerCase();
  if (!lower.startsWith('redis:') && !lower.startsWith('rediss:')) {
    throw new InvalidStoreConfigError(
      `Unsupported Redis URL ${redactUrl(url)}: use redis://, rediss:// or redis-cluster://host:port,host:port`,
    );
  }
  // ioredis turns TLS on only for a lower-case `rediss://`: `REDISS://` would connect in plain text.
  const scheme = url.slice(0, url.indexOf(':') + 1);
  return new Redis(scheme.toLowerCase() + url.slice(scheme.length), options as RedisOptions);
}

/** True for an ioredis `Cluster`. */
export function isClusterClient(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

/** Wraps a client or server failure so HTTP layers can answer 503; our own errors pass through. */
export function storeError(err: unknown, what: string): Error {
  if (isSessionError(err)) return err;
  const message = (err as Error)?.message ?? String(err);
  // Replies such as script errors are not worth retrying; connection trouble is.
  const retryable = !/^(ERR|WRONGTYPE|NOSCRIPT)/.test(message);
  return new SessionStoreUnavailableError(`Redis ${what} failed: ${message}`, { cause: err, retryable });
}

/** How long a graceful QUIT may take before the connection is simply dropped. */
const QUIT_TIMEOUT_MS = 1000;

/**
 * Closes a connection the repository owns without ever hanging: QUIT (letting replies in flight
 * arrive) only while it is connected, else an immediate disconnect. A QUIT queued on a connection
 * that cannot reach its server would wait behind every queued command until their retries run out.
 */
export async function closeConnection(connection: RedisClient): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), QUIT_TIMEOUT_MS);
  });
  const quit = connection.quit().then(
    () => false,
    () => true,
  );
  try {
    // A failed or stuck QUIT leaves a connection to drop; a finished one is closing by itself.
    if (await Promise.race([quit, timedOut])) connection.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
