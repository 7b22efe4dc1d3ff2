import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Session, supportsEvents } from '@session/core';
import type { WebSocket, WebSocketServer } from 'ws';
import { UpgradeAuthenticator } from './authentication.js';
import { ExpiryChecks } from './expiry.js';
import { SocketHeartbeat } from './heartbeat.js';
import { SessionKeepAlive } from './keep-alive.js';
import {
  type ResolvedWebSocketSessionOptions,
  resolveWebSocketSessionOptions,
  type WebSocketSessionOptions,
} from './options.js';
import { SessionSocketRegistry, type SocketState } from './registry.js';
import { rejectUpgrade } from './reject.js';
import type {
  SessionEndReason,
  SessionUpgradeRequest,
  SessionWebSocket,
  UpgradeEmitter,
  UpgradeResult,
} from './types.js';
import { routeUpgrades } from './upgrade-routing.js';

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
 *
 * It wires together one part per role: {@link UpgradeAuthenticator} (who may open a socket),
 * {@link SessionSocketRegistry} (which socket belongs to which session), {@link SessionKeepAlive}
 * (activity keeps sessions alive), {@link ExpiryChecks} (expiry for stores without events) and
 * {@link SocketHeartbeat} (pings that find dead peers).
 */
export class WebSocketSessions<S extends Session = Session> {
  readonly #options: ResolvedWebSocketSessionOptions<S>;
  readonly #authenticator: UpgradeAuthenticator<S>;
  readonly #registry: SessionSocketRegistry<S>;
  readonly #keepAlive: SessionKeepAlive<S>;
  readonly #expiry: ExpiryChecks<S>;
  readonly #heartbeat: SocketHeartbeat;
  readonly #detachers = new Set<() => void>();
  #unsubscribe: (() => void) | undefined;
  #closed = false;

  constructor(options: WebSocketSessionOptions<S>) {
    this.#options = resolveWebSocketSessionOptions(options);
    const { repository, clock, closeCode, pingIntervalMs } = this.#options;
    const evented = supportsEvents(repository);
    this.#authenticator = new UpgradeAuthenticator(this.#options);
    this.#expiry = new ExpiryChecks<S>({
      // Evented stores tell us about expiry themselves.
      enabled: !evented,
      clock,
      check: (entry) => void this.#keepAlive.refresh(entry, false),
    });
    this.#registry = new SessionSocketRegistry<S>({
      clock,
      closeCode,
      hooks: {
        entryOpened: (entry) => this.#expiry.schedule(entry),
        entryClosed: (entry) => this.#expiry.cancel(entry),
      },
    });
    this.#keepAlive = new SessionKeepAlive<S>(this.#options, {
      ended: (entry, reason) => this.#registry.end(entry, reason),
      refreshed: (entry) => this.#expiry.schedule(entry),
    });
    this.#heartbeat = new SocketHeartbeat(pingIntervalMs, () => this.#registry.sockets());
    if (evented) {
      // With Redis these also arrive for deletions made by other app instances (pub/sub).
      this.#unsubscribe = repository.on('destroyed', (event) => {
        this.closeSession(event.sessionId, event.type === 'expired' ? 'expired' : 'deleted');
      });
    }
  }

  /** Number of sockets currently tracked (open or closing). */
  get socketCount(): number {
    return this.#registry.socketCount;
  }

  /**
   * Handles WebSocket upgrades on `server` for `wss` (created with `{ noServer: true }`):
   * authenticates, answers 401/403/503 on failure, else completes the handshake, binds the
   * session to the socket and emits `connection` on `wss`. Returns a function that detaches.
   * An upgrade whose path none of the attached servers serves is answered 400, unless the server
   * has other `upgrade` listeners that may take it.
   */
  attach(server: UpgradeEmitter, wss: WebSocketServer): () => void {
    const stop = routeUpgrades(
      server,
      wss,
      (req, socket, head) => this.#upgrade(wss, req, socket, head),
      (err) => this.#options.logger.error('a WebSocket upgrade failed', err),
    );
    const detach = () => {
      stop();
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
    const result = await this.#authenticator.authenticate(req);
    if (result.ok) this.#registry.exposeOnRequest(req, result.session);
    return result;
  }

  /**
   * Ties an accepted socket to the session its request was authenticated with. {@link attach}
   * and {@link track} call this; call it yourself only for custom handshakes. A request that was
   * never authenticated gets its socket closed (unless anonymous sockets are allowed).
   */
  bind(ws: WebSocket, req: IncomingMessage): void {
    if (this.#registry.has(ws)) return;
    let holder = this.#registry.holderOf(req);
    if (holder === undefined) {
      if (!this.#options.allowAnonymous) {
        this.#options.logger.warn('a WebSocket was accepted without authenticate(); closing it');
        ws.close(this.#options.closeCode, 'Session required');
        return;
      }
      holder = this.#registry.exposeOnRequest(req, null);
    }
    const onClose = () => this.#unbind(ws);
    const onPong = () => {
      state.alive = true;
      if (this.#options.touchOnPong) this.#activity(state);
    };
    const onMessage = () => this.#activity(state);
    const state = this.#registry.add(ws, holder, () => {
      ws.off('close', onClose);
      ws.off('pong', onPong);
      ws.off('message', onMessage);
    });
    ws.once('close', onClose);
    ws.on('pong', onPong);
    ws.on('message', onMessage);
    if (!this.#closed) this.#heartbeat.start();
  }

  /** The session of a socket or upgrade request handled here; `null` when anonymous or ended. */
  sessionOf(target: WebSocket | IncomingMessage): S | null {
    return this.#registry.sessionOf(target);
  }

  /** Open sockets of one session. */
  socketsOf(sessionId: string): WebSocket[] {
    return this.#registry.socketsOf(sessionId);
  }

  /**
   * Closes every socket of a session (code 1008 by default). Called for the store's `destroyed`
   * events; call it yourself after deleting a session in a store without events. Returns how many
   * sockets were closed.
   */
  closeSession(sessionId: string, reason: SessionEndReason = 'deleted'): number {
    return this.#registry.closeSession(sessionId, reason);
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
    this.#heartbeat.stop();
    this.#expiry.stop();
    // Sockets outlive this instance: their messages must not keep reaching the store through us.
    this.#registry.clear();
  }

  #activity(state: SocketState<S>): void {
    const entry = state.holder.entry;
    if (entry === undefined || this.#closed) return;
    this.#keepAlive.activity(entry);
  }

  #unbind(ws: WebSocket): void {
    this.#registry.remove(ws);
    if (this.#registry.socketCount === 0) this.#heartbeat.stop();
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
}
