import { BlockList, isIP } from 'node:net';
import { InvalidArgumentError } from '@session/core';
import type { SessionRequest } from './exchange.js';

/**
 * Which proxies are believed when they say a request was HTTPS (`X-Forwarded-Proto`) or name
 * its host (`X-Forwarded-Host`). The same shapes as Express's `trust proxy` setting:
 * - `true`: every hop; `false`: none (the connection itself decides);
 * - a number `n`: the first `n` hops from this server;
 * - addresses or CIDR subnets, as an array or a comma-separated string, with the presets
 *   `loopback`, `linklocal` and `uniquelocal`;
 * - a function `(address, hop) => boolean`, hop 0 being the peer that connected to us.
 */
export type TrustProxy =
  | boolean
  | number
  | string
  | readonly string[]
  | ((address: string, hop: number) => boolean);

/** A compiled {@link TrustProxy}. */
export type TrustProxyFn = (address: string, hop: number) => boolean;

const PRESETS: Record<string, readonly string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** `::ffff:10.0.0.1` and `10.0.0.1` are the same peer. */
function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

function addEntry(list: BlockList, entry: string): void {
  const [address = '', prefixText] = entry.split('/');
  const family = isIP(address);
  if (family === 0)
    throw new InvalidArgumentError(`trustProxy: "${entry}" is not an IP address, subnet or preset`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) {
    list.addAddress(address, type);
    return;
  }
  const prefix = Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
    throw new InvalidArgumentError(`trustProxy: "${entry}" has an invalid prefix length`);
  }
  list.addSubnet(address, prefix, type);
}

function compileAddresses(entries: readonly string[]): TrustProxyFn {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    for (const expanded of PRESETS[entry] ?? [entry]) addEntry(list, expanded);
  }
  return (address) => {
    const normalized = normalizeAddress(address);
    const family = isIP(normalized);
    if (family === 0) return false;
    return list.check(normalized, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** Turns a {@link TrustProxy} setting into a predicate. Throws `InvalidArgumentError` on a bad setting. */
export function compileTrustProxy(setting: TrustProxy): TrustProxyFn {
  if (typeof setting === 'function') return setting;
  if (setting === true) return () => true;
  if (setting === false) return () => false;
  if (typeof setting === 'number') {
    if (!Number.isInteger(setting) || setting < 0) {
      throw new InvalidArgumentError(
        `trustProxy: a hop count must be a non-negative integer, got ${setting}`,
      );
    }
    return (_address, hop) => hop < setting;
  }
  if (typeof setting === 'string') return compileAddresses(setting.split(','));
  if (Array.isArray(setting)) return compileAddresses(setting);
  throw new InvalidArgumentError('trustProxy must be a boolean, a hop count, addresses or a function');
}

function headerList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(',') : value;
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/**
 * How many hops, counting from the peer that connected to us, are trusted proxies. Each trusted
 * proxy vouches for the address before it in `X-Forwarded-For`.
 */
function trustedHops(request: SessionRequest, trust: TrustProxyFn): number {
  const peer = request.socket?.remoteAddress;
  if (peer === undefined) return 0;
  const chain = [peer, ...headerList(request.headers['x-forwarded-for']).reverse()];
  let hops = 0;
  while (hops < chain.length && trust(chain[hops] as string, hops)) hops++;
  return hops;
}

/** The value a forwarding header got from the farthest trusted proxy, or `undefined`. */
function forwardedValue(request: SessionRequest, header: string, trust: TrustProxyFn): string | undefined {
  const hops = trustedHops(request, trust);
  if (hops === 0) return undefined;
  const values = headerList(request.headers[header]);
  if (values.length === 0) return undefined;
  // Proxies append, so the nearest proxy's value is last; the farthest trusted one is `hops` from the end.
  return values[Math.max(0, values.length - hops)];
}

/** True when the request arrived over TLS, or a trusted proxy says it did (`X-Forwarded-Proto: https`). */
export function isSecureRequest(request: SessionRequest, trust: TrustProxyFn): boolean {
  if (request.socket?.encrypted === true) return true;
  return forwardedValue(request, 'x-forwarded-proto', trust)?.toLowerCase() === 'https';
}

/** The request's host name without port: from a trusted `X-Forwarded-Host`, else the `Host` header. */
export function requestHostname(request: SessionRequest, trust: TrustProxyFn): string | undefined {
  return hostWithoutPort(forwardedValue(request, 'x-forwarded-host', trust) ?? request.headers.host);
}

/**
 * A `Host` value (`example.com:8080`, `[::1]:3000`) without its port: an IPv6 literal keeps its
 * brackets. `undefined` for a missing or empty value and for an unclosed `[`. For adapters whose
 * framework reports the host with its port (Fastify 4's `request.hostname`).
 */
export function hostWithoutPort(host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    return close === -1 ? undefined : host.slice(0, close + 1);
  }
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
