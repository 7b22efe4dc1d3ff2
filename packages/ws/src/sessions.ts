import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Session, supportsEvents } from '@session/core';
import { callStore, findRequestedSession, type SessionIdResolver } from '@session/http';
import type { WebSocket, WebSocketServer } from 'ws';
import {
  defaultUpgradeResolver,
  idsFromProtocols,
  idsFromQuery,
  idsFromResolver,
  type SessionIdSource,
  type UpgradeIdCandidate,
  validCandidates,
} from './id-sources.js';
import {
  type ResolvedWebSocketSessionOptions,
  resolveWebSocketSessionOptions,
  type WebSocketSessionOptions,
} from './options.js';
import { originAllowed } from './origin.js';
import { rejectUpgrade } from './reject.js';

/** Outcome of {@link WebSocketSessions.authenticate}. */
export type UpgradeResult<S extends Session = Session> =
  | {
      readonly ok: true;
      /** The live session, or `null` for an anonymous upgrade (only with `allowAnonymous`). */
      readonly session: S | null;
      readonly source: SessionIdSource | null;
    }
  | {
      readonly ok: false;
      /** 401 no live session, 403 origin or `authorize` refused, 500 a hook threw, 503 the store failed. */
      readonly status: 401 | 403 | 500 | 503;
      readonly message: string;
    };

/** A socket accepted through {@link WebSocketSessions}: its session, `null` once the session ended. */
export type SessionWebSocket<S extends Session = Session> = WebSocket & {
  readonly session: S | null;
  readonly sessionId: string | null;
};

/** The upgrade request of such a socket, with the same view of the session. */
export type SessionUpgradeRequest<S extends Session = Session> = IncomingMessage & {
  readonly session: S | null;
  readonly sessionId: string | null;
};

/** Why the sockets of a session were closed. */
export type SessionEndReason = 'deleted' | 'expired';

/** Anything that emits Node's `upgrade` event: `http.Server`, `https.Server`, `http2` compat servers. */
export interface UpgradeEmitter {
  on(event: 'upgrade', listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
  off(event: 'upgrade', listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
}

/** One live session with open sockets. Several sockets (tabs) of one session share it. */
interface SessionEntry<S extends Session> {
  readonly id: string;
  /** The freshest copy we loaded; replaced on every touch. */
  session: S;
  readonly sockets: Set<WebSocket>;
  /** When the last store round trip failed; retries wait one touch interval. */
  failedAt: number | undefined;
  touching: Promise<void> | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
  ended: boolean;
}

/** What the `session` properties of a request and its socket read. */
interface SessionHolder<S extends Session> {
  session: S | null;
  entry: SessionEntry<S> | undefined;
}

interface SocketState<S extends Session> {
  readonly holder: SessionHolder<S>;
  /** Answered the last ping. */
  alive: boolean;
  /** Removes the listeners {@link WebSocketSessions.bind} put on the socket. */
  release: () => void;
}

const CLOSE_REASONS: Record<SessionEndReason, string> = {
  deleted: 'Session ended',
  expired: 'Session expired',
};

// A session destroyed while its upgrade was in flight must not leave that socket open: remember
// recently ended ids for a while.
const RECENTLY_ENDED_TTL_MS = 60_000;
const RECENTLY_ENDED_MAX = 1024;
// setTimeout's ceiling (about 24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Upgrade listeners installed by {@link WebSocketSessions.attach}, of every instance. */
const attachListeners = new WeakSet<UpgradeListener>();
/** Upgrade requests one of those listeners took (or refused). */
const claimedUpgrades = new WeakSet<IncomingMessage>();

/**
 * An upgrade for a path no attached WebSocketServer serves would stay open forever: Node hands
 * upgraded sockets to the listeners and never times them out. When every `upgrade` listener of the
 * server is ours and none took the request, answer 400 as `ws` does for a wrong path.
 */
function refuseIfUnclaimed(server: UpgradeEmitter, req: IncomingMessage, socket: Duplex): void {
  const listeners = (server as { listeners?: (event: 'upgrade') => unknown[] }).listeners?.('upgrade');
  if (listeners === undefined) return;
  if (!listeners.every((listener) => attachListeners.has(listener as UpgradeListener))) return;
  // The other listeners run after this one within the same emit; decide once they all have.
  setImmediate(() => {
    if (claimedUpgrades.has(req)) return;
    claimedUpgrades.add(req);
    // Node removed its own error handler when it handed the socket over; a reset must not crash us.
    socket.on('error', () => socket.destroy());
    rejectUpgrade(socket, 400, 'Bad Request');
  });
}

/** Sessions with change tracking say whether a save would write anything; others are always saved. */
function needsSave(session: Session): boolean {
  const check = (session as { hasChanges?: () => boolean }).hasChanges;
  return typeof check === 'function' ? check.call(session) : true;
}

/** A resolver that presents exactly `ids`, to run `findRequestedSession` over our filtered candidates. */
function presenting(ids: string[]): SessionIdResolver {
  return { resolveSessionIds: () => ids, setSessionId() {}, expireSession() {} };
}

function expiresAt(session: Session): number | null {
  return session.maxInactiveIntervalMs < 0 ? null : session.lastAccessedTime + session.maxInactiveIntervalMs;
}

/**
 * Sessions for `ws` sockets: resolves the session on upgrade (rejecting with 401 when there is
 * none), keeps it alive while messages flow, and closes every socket of a session with 1008 when
 * the session is deleted or expires.
 *
 * ```ts
 * const sessions = new WebSocketSessions({ repository });
 * const wss = new WebSocketServer({ noServer: true });
 * sessions.attach(httpServer, wss);
 * wss.on('connection', (ws) => ws.send(`hello ${sessions.sessionOf(ws)?.id}`));
 * ```
 */
export class WebSocketSessions<S extends Session = Session> {
  readonly #options: ResolvedWebSocketSessionOptions<S>;
  readonly #entries = new Map<string, SessionEntry<S>>();
  readonly #sockets = new Map<WebSocket, SocketState<S>>();
  readonly #holders = new WeakMap<IncomingMessage, SessionHolder<S>>();
  readonly #recentlyEnded = new Map<string, number>();
  readonly #detachers = new Set<() => void>();
  readonly #usesEvents: boolean;
  readonly #resolver: Pick<SessionIdResolver, 'resolveSessionIds'>;
  #unsubscribe: (() => void) | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: WebSocketSessionOptions<S>) {
    this.#options = resolveWebSocketSessionOptions(options);
    this.#resolver = this.#options.resolver ?? defaultUpgradeResolver();
    const repository = this.#options.repository;
    this.#usesEvents = supportsEvents(repository);
    if (supportsEvents(repository)) {
      // With Redis these also arrive for deletions made by other app instances (pub/sub).
      this.#unsubscribe = repository.on('destroyed', (event) => {
        this.closeSession(event.sessionId, event.type === 'expired' ? 'expired' : 'deleted');
      });
    }
  }

  /** Number of sockets currently tracked (open or closing). */
  get socketCount(): number {
    return this.#sockets.size;
  }

  /**
   * Handles WebSocket upgrades on `server` for `wss` (created with `{ noServer: true }`):
   * authenticates, answers 401/403/503 on failure, else completes the handshake, binds the
   * session to the socket and emits `connection` on `wss`. Returns a function that detaches.
   * An upgrade whose path none of the attached servers serves is answered 400, unless the server
   * has other `upgrade` listeners that may take it.
   */
  attach(server: UpgradeEmitter, wss: WebSocketServer): () => void {
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      // Another WebSocketServer on the same server may own this path.
      if (!wss.shouldHandle(req)) {
        refuseIfUnclaimed(server, req, socket);
        return;
      }
      claimedUpgrades.add(req);
      this.#upgrade(wss, req, socket, head).catch((err: unknown) => {
        this.#options.logger.error('a WebSocket upgrade failed', err);
        socket.destroy();
      });
    };
    attachListeners.add(onUpgrade);
    server.on('upgrade', onUpgrade);
    const detach = () => {
      server.off('upgrade', onUpgrade);
      this.#detachers.delete(detach);
    };
    this.#detachers.add(detach);
    return detach;
  }

  /**
   * For `new WebSocketServer({ server, verifyClient: sessions.verifyClient })`: authenticates
   * during ws's own handshake. Pair it with {@link track} so accepted sockets get their session.
   */
  readonly verifyClient = (
    info: { origin: string; secure: boolean; req: IncomingMessage },
    callback: (result: boolean, code?: number, message?: string) => void,
  ): void => {
    this.authenticate(info.req).then(
      (result) => (result.ok ? callback(true) : callback(false, result.status, result.message)),
      () => callback(false, 500, 'Internal Server Error'),
    );
  };

  /**
   * For `new WebSocketServer({ handleProtocols: sessions.handleProtocols })` when ids travel as
   * subprotocols: selects the first offered protocol that is not a session token, so the token
   * is never echoed when the client offered a real protocol too.
   */
  readonly handleProtocols = (protocols: Set<string>, _req: IncomingMessage): string | false => {
    const prefix = this.#options.protocolPrefix;
    const offered = [...protocols];
    const plain = prefix === undefined ? offered : offered.filter((p) => !p.startsWith(prefix));
    // Browsers fail a handshake that offered protocols but got none back, so echo the token as a last resort.
    return plain[0] ?? offered[0] ?? false;
  };

  /** Binds sessions to the sockets `wss` accepts (with {@link verifyClient}). Returns a function that stops. */
  track(wss: WebSocketServer): () => void {
    const onConnection = (ws: WebSocket, req: IncomingMessage) => this.bind(ws, req);
    // First in line, so the app's own connection listeners already see the session.
    wss.prependListener('connection', onConnection);
    const untrack = () => {
      wss.off('connection', onConnection);
      this.#detachers.delete(untrack);
    };
    this.#detachers.add(untrack);
    return untrack;
  }

  /** Registers a typed `connection` listener on `wss`. Returns a function that removes it. */
  onConnection(
    wss: WebSocketServer,
    listener: (ws: SessionWebSocket<S>, req: SessionUpgradeRequest<S>) => void,
  ): () => void {
    const wrapped = (ws: WebSocket, req: IncomingMessage) =>
      listener(ws as SessionWebSocket<S>, req as SessionUpgradeRequest<S>);
    wss.on('connection', wrapped);
    return () => wss.off('connection', wrapped);
  }

  /**
   * Finds the session of an upgrade request. On success the request's `session` property is set
   * and the upgrade counts as an access (the last access time is saved).
   */
  async authenticate(req: IncomingMessage): Promise<UpgradeResult<S>> {
    const { repository, logger, clock, storeTimeoutMs } = this.#options;
    let usable: UpgradeIdCandidate[];
    let refusedOrigin = false;
    try {
      const candidates = this.#candidates(req);
      // Browsers attach cookies to cross-site sockets; ids in the URL or protocol list they cannot forge.
      const cookieBorne = candidates.some((c) => c.source !== 'query' && c.source !== 'protocol');
      const originOk = !cookieBorne || originAllowed(this.#options.allowedOrigins, req);
      usable = originOk
        ? candidates
        : candidates.filter((c) => c.source === 'query' || c.source === 'protocol');
      refusedOrigin = usable.length < candidates.length;
    } catch (err) {
      logger.error('reading the session id of a WebSocket upgrade failed', err);
      return { ok: false, status: 500, message: 'Internal Server Error' };
    }
    if (usable.length > 0) {
      let found: { session: S; sessionId: string } | null;
      try {
        found = await findRequestedSession(req, {
          repository,
          resolver: presenting(usable.map((c) => c.id)),
          storeTimeoutMs,
          clock,
          logger,
        });
      } catch (err) {
        logger.error('session store failed during a WebSocket upgrade', err);
        return { ok: false, status: 503, message: 'Session store unavailable' };
      }
      if (found !== null) {
        const { session, sessionId } = found;
        if (this.#options.authorize !== undefined) {
          let allowed: boolean;
          try {
            allowed = await this.#options.authorize(session, req);
          } catch (err) {
            logger.error('the authorize hook of a WebSocket upgrade threw', err);
            return { ok: false, status: 500, message: 'Internal Server Error' };
          }
          if (!allowed) return { ok: false, status: 403, message: 'Forbidden' };
        }
        // The upgrade is an access; findRequestedSession set the time unless the store already did.
        if (needsSave(session)) {
          try {
            await callStore('save', storeTimeoutMs, () => repository.save(session));
          } catch (err) {
            logger.error('session store failed during a WebSocket upgrade', err);
            return { ok: false, status: 503, message: 'Session store unavailable' };
          }
        }
        this.#exposeOnRequest(req, { session, entry: undefined });
        const source = usable.find((c) => c.id === sessionId)?.source ?? 'cookie';
        return { ok: true, session, source };
      }
    }
    if (this.#options.allowAnonymous) {
      this.#exposeOnRequest(req, { session: null, entry: undefined });
      return { ok: true, session: null, source: null };
    }
    if (refusedOrigin) return { ok: false, status: 403, message: 'Origin not allowed' };
    return { ok: false, status: 401, message: 'Session required' };
  }

  /**
   * Ties an accepted socket to the session its request was authenticated with. {@link attach}
   * and {@link track} call this; call it yourself only for custom handshakes. A request that was
   * never authenticated gets its socket closed (unless anonymous sockets are allowed).
   */
  bind(ws: WebSocket, req: IncomingMessage): void {
    if (this.#sockets.has(ws)) return;
    let holder = this.#holders.get(req);
    if (holder === undefined) {
      if (!this.#options.allowAnonymous) {
        this.#options.logger.warn('a WebSocket was accepted without authenticate(); closing it');
        ws.close(this.#options.closeCode, 'Session required');
        return;
      }
      holder = { session: null, entry: undefined };
      this.#exposeOnRequest(req, holder);
    }
    this.#expose(ws, holder);
    const onClose = () => this.#unbind(ws);
    const onPong = () => {
      state.alive = true;
      if (this.#options.touchOnPong) this.#activity(state);
    };
    const onMessage = () => this.#activity(state);
    const state: SocketState<S> = {
      holder,
      alive: true,
      release: () => {
        ws.off('close', onClose);
        ws.off('pong', onPong);
        ws.off('message', onMessage);
      },
    };
    this.#sockets.set(ws, state);
    ws.once('close', onClose);
    ws.on('pong', onPong);
    ws.on('message', onMessage);
    this.#startPinging();

    const session = holder.session;
    if (session === null) return;
    const ended = this.#recentlyEnded.get(session.id);
    if (ended !== undefined && Date.now() - ended < RECENTLY_ENDED_TTL_MS) {
      ws.close(this.#options.closeCode, CLOSE_REASONS.deleted);
      return;
    }
    const entry = this.#entryFor(session);
    entry.sockets.add(ws);
    holder.entry = entry;
  }

  /** The session of a socket or upgrade request handled here; `null` when anonymous or ended. */
  sessionOf(target: WebSocket | IncomingMessage): S | null {
    const holder =
      this.#sockets.get(target as WebSocket)?.holder ?? this.#holders.get(target as IncomingMessage);
    return holder === undefined ? null : this.#current(holder);
  }

  /** Open sockets of one session. */
  socketsOf(sessionId: string): WebSocket[] {
    return [...(this.#entries.get(sessionId)?.sockets ?? [])];
  }

  /**
   * Closes every socket of a session (code 1008 by default). Called for the store's `destroyed`
   * events; call it yourself after deleting a session in a store without events. Returns how many
   * sockets were closed.
   */
  closeSession(sessionId: string, reason: SessionEndReason = 'deleted'): number {
    this.#rememberEnded(sessionId);
    const entry = this.#entries.get(sessionId);
    return entry === undefined ? 0 : this.#end(entry, reason);
  }

  /**
   * Stops everything this instance started: event subscription, timers, upgrade listeners.
   * Open sockets stay open (they belong to the WebSocketServer) but are no longer watched.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    for (const detach of [...this.#detachers]) detach();
    if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer);
    for (const entry of this.#entries.values()) clearTimeout(entry.expiryTimer);
    // Sockets outlive this instance: their messages must not keep reaching the store through us.
    for (const state of this.#sockets.values()) state.release();
    this.#entries.clear();
    this.#sockets.clear();
  }

  #candidates(req: IncomingMessage): UpgradeIdCandidate[] {
    const { queryParameter, protocolPrefix } = this.#options;
    const found = idsFromResolver(req, this.#resolver);
    if (protocolPrefix !== undefined) found.push(...idsFromProtocols(req, protocolPrefix));
    if (queryParameter !== undefined) found.push(...idsFromQuery(req, queryParameter));
    return validCandidates(found);
  }

  async #upgrade(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // The client may hang up while the store answers; that must not become an unhandled error.
    const onError = () => socket.destroy();
    socket.on('error', onError);
    const result = await this.authenticate(req);
    if (!result.ok) {
      rejectUpgrade(socket, result.status, result.message);
      return;
    }
    if (socket.destroyed || this.#closed) {
      socket.destroy();
      return;
    }
    socket.off('error', onError);
    wss.handleUpgrade(req, socket, head, (ws) => {
      this.bind(ws, req);
      wss.emit('connection', ws, req);
    });
  }

  #exposeOnRequest(req: IncomingMessage, holder: SessionHolder<S>): void {
    this.#holders.set(req, holder);
    this.#expose(req, holder);
  }

  #expose(target: object, holder: SessionHolder<S>): void {
    Object.defineProperty(target, 'session', {
      configurable: true,
      enumerable: false,
      get: () => this.#current(holder),
    });
    Object.defineProperty(target, 'sessionId', {
      configurable: true,
      enumerable: false,
      get: () => this.#current(holder)?.id ?? null,
    });
  }

  #current(holder: SessionHolder<S>): S | null {
    if (holder.entry !== undefined) return holder.entry.ended ? null : holder.entry.session;
    return holder.session;
  }

  #entryFor(session: S): SessionEntry<S> {
    const existing = this.#entries.get(session.id);
    if (existing !== undefined && !existing.ended) {
      existing.session = session;
      return existing;
    }
    const entry: SessionEntry<S> = {
      id: session.id,
      session,
      sockets: new Set(),
      failedAt: undefined,
      touching: undefined,
      expiryTimer: undefined,
      ended: false,
    };
    this.#entries.set(session.id, entry);
    this.#scheduleExpiryCheck(entry);
    return entry;
  }

  /** The store is written at most every `touchIntervalMs`, and at least twice per idle timeout. */
  #touchEveryMs(session: S): number {
    const idle = session.maxInactiveIntervalMs;
    return idle < 0 ? this.#options.touchIntervalMs : Math.min(this.#options.touchIntervalMs, idle / 2);
  }

  #activity(state: SocketState<S>): void {
    const entry = state.holder.entry;
    if (entry === undefined || entry.ended || this.#closed) return;
    const now = this.#options.clock();
    const every = this.#touchEveryMs(entry.session);
    if (entry.failedAt !== undefined && now - entry.failedAt < every) return;
    // Measured from the last access we know of, so HTTP requests' touches count too. A copy that
    // looks expired also lands here: the store may know of a later access, so ask it.
    if (now - entry.session.lastAccessedTime >= every) void this.#refresh(entry, true);
  }

  /**
   * Reloads the session; closes its sockets when it is gone. With `touch`, also records this
   * moment as its last access. Concurrent calls share one store round trip.
   */
  #refresh(entry: SessionEntry<S>, touch: boolean): Promise<void> {
    if (entry.touching !== undefined) return entry.touching;
    const run = async () => {
      const { repository, logger, clock, storeTimeoutMs } = this.#options;
      const now = clock();
      try {
        const fresh = await callStore('findById', storeTimeoutMs, () => repository.findById(entry.id));
        if (entry.ended) return;
        if (fresh === null || fresh.isExpired(now)) {
          this.#end(entry, entry.session.isExpired(now) ? 'expired' : 'deleted');
          return;
        }
        if (touch) {
          fresh.lastAccessedTime = Math.max(fresh.lastAccessedTime, now);
          // Stores that touch while reading have nothing left to write.
          if (needsSave(fresh)) await callStore('save', storeTimeoutMs, () => repository.save(fresh));
        }
        if (entry.ended) return;
        entry.session = fresh;
        entry.failedAt = undefined;
      } catch (err) {
        // A store outage does not end sessions; a later message (or check) tries again.
        entry.failedAt = now;
        logger.warn('could not refresh the session of a WebSocket', err);
      } finally {
        entry.touching = undefined;
        this.#scheduleExpiryCheck(entry);
      }
    };
    entry.touching = run();
    return entry.touching;
  }

  /**
   * Stores without events cannot tell us about expiry, so look again when the session is due.
   * The look does not count as an access.
   */
  #scheduleExpiryCheck(entry: SessionEntry<S>): void {
    if (this.#usesEvents || entry.ended || this.#closed) return;
    clearTimeout(entry.expiryTimer);
    const due = expiresAt(entry.session);
    if (due === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, due - this.#options.clock()) + 25);
    entry.expiryTimer = setTimeout(() => void this.#refresh(entry, false), delay);
    entry.expiryTimer.unref();
  }

  #end(entry: SessionEntry<S>, reason: SessionEndReason): number {
    entry.ended = true;
    clearTimeout(entry.expiryTimer);
    if (this.#entries.get(entry.id) === entry) this.#entries.delete(entry.id);
    this.#rememberEnded(entry.id);
    let closed = 0;
    for (const ws of entry.sockets) {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) {
        ws.close(this.#options.closeCode, CLOSE_REASONS[reason]);
        closed++;
      }
    }
    return closed;
  }

  #rememberEnded(sessionId: string): void {
    const now = Date.now();
    this.#recentlyEnded.delete(sessionId);
    this.#recentlyEnded.set(sessionId, now);
    for (const [id, at] of this.#recentlyEnded) {
      if (this.#recentlyEnded.size <= RECENTLY_ENDED_MAX && now - at < RECENTLY_ENDED_TTL_MS) break;
      this.#recentlyEnded.delete(id);
    }
  }

  #unbind(ws: WebSocket): void {
    const state = this.#sockets.get(ws);
    if (state === undefined) return;
    this.#sockets.delete(ws);
    const entry = state.holder.entry;
    if (entry !== undefined) {
      entry.sockets.delete(ws);
      if (entry.sockets.size === 0 && !entry.ended) {
        clearTimeout(entry.expiryTimer);
        if (this.#entries.get(entry.id) === entry) this.#entries.delete(entry.id);
      }
    }
    if (this.#sockets.size === 0 && this.#pingTimer !== undefined) {
      clearInterval(this.#pingTimer);
      this.#pingTimer = undefined;
    }
  }

  #startPinging(): void {
    const every = this.#options.pingIntervalMs;
    if (every === 0 || this.#pingTimer !== undefined || this.#closed) return;
    this.#pingTimer = setInterval(() => {
      for (const [ws, state] of this.#sockets) {
        if (!state.alive) {
          // No pong since the last ping: the peer is gone without a close frame.
          ws.terminate();
          continue;
        }
        state.alive = false;
        try {
          ws.ping();
        } catch {
          // The socket is closing; its close event cleans up.
        }
      }
    }, every);
    this.#pingTimer.unref();
  }
}
