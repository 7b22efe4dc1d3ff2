import {
  InvalidStoreConfigError,
  redactStoreUrl,
  type SessionStoreProvider,
  type StoreConfig,
} from '@session/core';
import type { ClientConfig } from 'hazelcast-client';
import type { HazelcastSessionRepositoryOptions } from './options.js';
import { HazelcastSessionRepository } from './repository.js';

/** What a `hazelcast://` URL says. */
export interface HazelcastUrl {
  /** `host:port` of each member named, in order. */
  members: string[];
  clusterName?: string;
  mapName?: string;
  connectTimeoutMs?: number;
  username?: string;
  password?: string;
}

const DEFAULT_PORT = 5701;
const URL_PATTERN = /^hazelcast:\/\/(?:([^@/?#]*)@)?([^/?#]*)\/?(?:\?([^#]*))?$/i;
const QUERY_KEYS = new Set(['cluster', 'map', 'connectTimeoutMs']);

function parseMember(text: string, url: string): string {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(text);
  const port = match?.[2] === undefined ? DEFAULT_PORT : Number(match[2]);
  if (match === null || port < 1 || port > 65535) {
    throw new InvalidStoreConfigError(
      `Invalid member "${text}" in ${redactStoreUrl(url)}: expected host or host:port`,
    );
  }
  return `${match[1]}:${port}`;
}

/** Percent-decodes one URL part; a malformed escape is a config error, not a `URIError`. */
function decodePart(text: string, what: string, url: string): string {
  try {
    return decodeURIComponent(text);
  } catch (err) {
    throw new InvalidStoreConfigError(`Invalid percent-encoding in the ${what} of ${redactStoreUrl(url)}`, {
      cause: err,
    });
  }
}

/**
 * Parses `hazelcast://[user:password@]host[:port][,host[:port]…][/]?cluster=…&map=…&connectTimeoutMs=…`.
 * The port defaults to 5701. Unknown query keys are rejected so typos do not pass silently.
 * @throws InvalidStoreConfigError for anything else.
 */
export function parseHazelcastUrl(url: string): HazelcastUrl {
  const match = URL_PATTERN.exec(url.trim());
  if (match === null) {
    throw new InvalidStoreConfigError(
      `Invalid Hazelcast URL ${redactStoreUrl(url)}: expected hazelcast://host:port[,host:port]?cluster=name`,
    );
  }
  const [, userInfo, hosts = '', query = ''] = match;
  const hostList = hosts.split(',').filter((h) => h.length > 0);
  if (hostList.length === 0)
    throw new InvalidStoreConfigError(`Hazelcast URL ${redactStoreUrl(url)} names no member`);
  const out: HazelcastUrl = {
    members: hostList.map((h) => parseMember(decodePart(h, 'member list', url), url)),
  };
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    out.username = decodePart(colon < 0 ? userInfo : userInfo.slice(0, colon), 'user name', url);
    if (colon >= 0) out.password = decodePart(userInfo.slice(colon + 1), 'password', url);
  }
  const params = new URLSearchParams(query);
  for (const key of params.keys()) {
    if (!QUERY_KEYS.has(key)) {
      throw new InvalidStoreConfigError(
        `Unknown option "${key}" in Hazelcast URL; known: ${[...QUERY_KEYS].join(', ')}`,
      );
    }
  }
  // An empty value is a typo, not a name: it would only fail later, after the connect timeout.
  for (const key of ['cluster', 'map']) {
    if (params.get(key) === '') {
      throw new InvalidStoreConfigError(`"${key}" in Hazelcast URL ${redactStoreUrl(url)} is empty`);
    }
  }
  const cluster = params.get('cluster');
  if (cluster !== null) out.clusterName = cluster;
  const map = params.get('map');
  if (map !== null) out.mapName = map;
  const timeout = params.get('connectTimeoutMs');
  if (timeout !== null) {
    const value = Number(timeout);
    if (!/^\d+$/.test(timeout) || value < 1) {
      throw new InvalidStoreConfigError(
        `connectTimeoutMs in the Hazelcast URL must be a positive integer, got "${timeout}"`,
      );
    }
    out.connectTimeoutMs = value;
  }
  return out;
}

/** Repository options from a store config: its URL (if any) merged over its `clientConfig`. */
export function optionsFromStoreConfig(config: StoreConfig): HazelcastSessionRepositoryOptions {
  const { store: _store, url, ...rest } = config;
  const options = { ...rest } as HazelcastSessionRepositoryOptions;
  if (url === undefined) return options;
  if (typeof url !== 'string')
    throw new InvalidStoreConfigError('The Hazelcast store `url` must be a string');
  if (options.client !== undefined || options.map !== undefined) {
    throw new InvalidStoreConfigError('Give the Hazelcast store either a url or a client/map, not both');
  }
  const parsed = parseHazelcastUrl(url);
  const base: ClientConfig = options.clientConfig ?? {};
  const clientConfig: ClientConfig = {
    ...base,
    network: { ...base.network, clusterMembers: parsed.members },
  };
  if (parsed.clusterName !== undefined) clientConfig.clusterName = parsed.clusterName;
  if (parsed.username !== undefined) {
    clientConfig.security = {
      ...base.security,
      usernamePassword: { username: parsed.username, password: parsed.password ?? '' },
    };
  }
  options.clientConfig = clientConfig;
  if (parsed.mapName !== undefined) options.mapName = parsed.mapName;
  if (parsed.connectTimeoutMs !== undefined) options.connectTimeoutMs = parsed.connectTimeoutMs;
  return options;
}

/**
 * Config-driven loading (`createRepositoryFromConfig('hazelcast://10.0.0.5:5701?cluster=prod')`
 * from `@session/core`): starts a client from the URL and waits until the repository is ready.
 */
export const sessionStore: SessionStoreProvider = {
  name: 'hazelcast',
  create: (config) => HazelcastSessionRepository.create(optionsFromStoreConfig(config)),
};
