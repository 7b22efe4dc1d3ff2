import type { IncomingMessage } from 'node:http';
import {
  consoleLogger,
  InvalidArgumentError,
  type Session,
  type SessionLogger,
  type SessionRepository,
} from '@session/core';
import { checkStoreTimeout, type SessionIdResolver } from '@session/http';

/** Which `Origin` headers may open a socket whose session id came from a cookie. */
export type OriginPolicy =
  /** The origin's host must equal the request's `Host` header (the default). */
  | 'same-host'
  /** No check (for APIs whose pages are served from other origins through a proxy you trust). */
  | 'any'
  /** Exact origins, e.g. `['https://app.example.com']`. */
  | readonly string[]
  /** Your own rule; `origin` is `undefined` for clients that send none (non-browser clients). */
  | ((origin: string | undefined, req: IncomingMessage) => boolean);

/**
 * What upgrades need of a `SessionIdResolver`: reading ids, and how they travel (`transport`, or
 * the `resolvers` a composite combines).
 */
export type UpgradeIdResolver = Pick<SessionIdResolver, 'resolveSessionIds' | 'transport' | 'resolvers'>;

/** Options of {@link WebSocketSessions}. Every duration is in milliseconds, as the names say. */
export interface WebSocketSessionOptions<S extends Session = Session> {
  /** Where sessions live. With `capabilities.events`, sockets close as soon as their session is destroyed. */
  repository: SessionRepository<S>;
  /**
   * Reads session ids from the upgrade request: pass the resolver your HTTP middleware uses.
   * Default: `@session/http`'s `SESSION` cookie (base64, as Spring writes it), then the
   * `X-Auth-Token` header. Only `resolveSessionIds` is called; upgrades never write ids. The
   * resolver's `transport` says which ids get the {@link allowedOrigins} check: all but `'header'` ones.
   */
  resolver?: UpgradeIdResolver;
  /**
   * Also accept the id in this query parameter (`wss://host/live?access_token=…`). Off by default:
   * URLs end up in logs, so prefer cookies, headers or {@link protocolPrefix}.
   */
  queryParameter?: string;
  /**
   * Also accept the id as a `Sec-WebSocket-Protocol` entry starting with this prefix, for browser
   * clients that cannot set headers: `new WebSocket(url, ['chat', 'session.' + token])`. Off by default.
   */
  protocolPrefix?: string;
  /** Accept upgrades without a (live) session. The socket's `session` is then `null`. Default false: 401. */
  allowAnonymous?: boolean;
  /** Extra check after the session is found, e.g. "is logged in". `false` rejects with 403. */
  authorize?: (session: S, req: IncomingMessage) => boolean | Promise<boolean>;
  /** Cross-site WebSocket hijacking guard for cookie-borne ids. Default `'same-host'`. */
  allowedOrigins?: OriginPolicy;
  /**
   * Inbound messages keep the session alive; the store is written at most once per this interval
   * per session (and at least twice per idle timeout, whatever this says). Default 60 000.
   */
  touchIntervalMs?: number;
  /** Count pong frames (answers to our pings) as activity too. Default false: only messages count. */
  touchOnPong?: boolean;
  /** Ping every socket this often and drop those that did not answer the last ping. 0 turns it off. Default 30 000. */
  pingIntervalMs?: number;
  /** Close code used when a session ends. Default 1008 (policy violation). */
  closeCode?: number;
  /** Bound on each store call, in ms; a slower store fails the upgrade with 503. Default 2000. */
  storeTimeoutMs?: number;
  /** Where store failures are reported. Default: console warnings and errors. */
  logger?: SessionLogger;
  /** Clock in epoch ms; replace it in tests. Default `Date.now`. */
  clock?: () => number;
}

/** {@link WebSocketSessionOptions} after defaults and validation. */
export interface ResolvedWebSocketSessionOptions<S extends Session> {
  repository: SessionRepository<S>;
  resolver: UpgradeIdResolver | undefined;
  queryParameter: string | undefined;
  protocolPrefix: string | undefined;
  allowAnonymous: boolean;
  authorize: ((session: S, req: IncomingMessage) => boolean | Promise<boolean>) | undefined;
  allowedOrigins: OriginPolicy;
  touchIntervalMs: number;
  touchOnPong: boolean;
  pingIntervalMs: number;
  closeCode: number;
  storeTimeoutMs: number;
  logger: SessionLogger;
  clock: () => number;
}

export const DEFAULT_TOUCH_INTERVAL_MS = 60_000;
export const DEFAULT_PING_INTERVAL_MS = 30_000;
/** RFC 6455 "policy violation": the peer broke a rule, here "your session is gone". */
export const SESSION_ENDED_CLOSE_CODE = 1008;

// Subprotocol entries are RFC 7230 tokens; keep prefixes inside that alphabet.
const PROTOCOL_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function nonNegativeFinite(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(
      `${name} must be a finite number of milliseconds >= 0, got ${String(value)}`,
    );
  }
  return value;
}

/** Applies defaults and validates, throwing `InvalidArgumentError` that names the option. */
export function resolveWebSocketSessionOptions<S extends Session>(
  options: WebSocketSessionOptions<S>,
): ResolvedWebSocketSessionOptions<S> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('WebSocket session options are required ({ repository })');
  }
  const repository = options.repository;
  if (
    repository === null ||
    typeof repository !== 'object' ||
    typeof repository.findById !== 'function' ||
    typeof repository.save !== 'function'
  ) {
    throw new InvalidArgumentError('repository must be a SessionRepository (findById, save, …)');
  }
  if (options.resolver !== undefined && typeof options.resolver?.resolveSessionIds !== 'function') {
    throw new InvalidArgumentError('resolver must be a SessionIdResolver (with resolveSessionIds)');
  }
  const storeTimeoutMs = checkStoreTimeout(options.storeTimeoutMs);
  if (options.queryParameter !== undefined) {
    if (typeof options.queryParameter !== 'string' || options.queryParameter.length === 0) {
      throw new InvalidArgumentError('queryParameter must be a non-empty string');
    }
  }
  if (options.protocolPrefix !== undefined) {
    if (typeof options.protocolPrefix !== 'string' || !PROTOCOL_TOKEN.test(options.protocolPrefix)) {
      throw new InvalidArgumentError('protocolPrefix must be a non-empty subprotocol token, e.g. "session."');
    }
  }
  if (options.authorize !== undefined && typeof options.authorize !== 'function') {
    throw new InvalidArgumentError('authorize must be a function (session, req) => boolean');
  }
  const origins = options.allowedOrigins ?? 'same-host';
  if (
    origins !== 'same-host' &&
    origins !== 'any' &&
    typeof origins !== 'function' &&
    !(Array.isArray(origins) && origins.every((o) => typeof o === 'string'))
  ) {
    throw new InvalidArgumentError(
      "allowedOrigins must be 'same-host', 'any', a list of origins or a function",
    );
  }
  const closeCode = options.closeCode ?? SESSION_ENDED_CLOSE_CODE;
  // 1000 and 3000–4999 are the codes an endpoint may send besides the RFC's application-level ones.
  if (
    !Number.isInteger(closeCode) ||
    !(closeCode === 1000 || closeCode === 1008 || (closeCode >= 3000 && closeCode <= 4999))
  ) {
    throw new InvalidArgumentError(`closeCode must be 1000, 1008 or 3000-4999, got ${String(closeCode)}`);
  }
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new InvalidArgumentError('clock must be a function');
  return {
    repository,
    resolver: options.resolver,
    queryParameter: options.queryParameter,
    protocolPrefix: options.protocolPrefix,
    allowAnonymous: options.allowAnonymous ?? false,
    authorize: options.authorize,
    allowedOrigins: origins,
    touchIntervalMs: nonNegativeFinite(
      'touchIntervalMs',
      options.touchIntervalMs ?? DEFAULT_TOUCH_INTERVAL_MS,
    ),
    touchOnPong: options.touchOnPong ?? false,
    pingIntervalMs: nonNegativeFinite('pingIntervalMs', options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS),
    closeCode,
    storeTimeoutMs,
    logger: options.logger ?? consoleLogger,
    clock,
  };
}
