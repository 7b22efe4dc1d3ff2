import type { IncomingMessage } from 'node:http';
import type { Session } from '@session/core';
import type { WebSocket } from 'ws';
import { RecentlyEndedSessions } from './recently-ended.js';
import type { SessionEndReason } from './types.js';

/** One live session with open sockets. Several sockets (tabs) of one session share it. */
export interface SessionEntry<S extends Session> {
  readonly id: string;
  /** The freshest copy we loaded; replaced on every refresh. */
  session: S;
  readonly sockets: Set<WebSocket>;
  /** When the last store round trip failed; retries wait one touch interval. */
  failedAt: number | undefined;
  /** The refresh in flight, shared by concurrent callers. */
  touching: Promise<void> | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
  ended: boolean;
}

/** What the `session` properties of a request and its socket read. */
export interface SessionHolder<S extends Session> {
  session: S | null;
  entry: SessionEntry<S> | undefined;
}

/** A socket bound to a session (or to none, when anonymous). */
export interface SocketState<S extends Session> {
  readonly holder: SessionHolder<S>;
  /** Answered the last ping. */
  alive: boolean;
  /** Removes the listeners binding put on the socket. */
  release: () => void;
}

/** What the registry tells the parts that watch entries (expiry checks). */
export interface RegistryHooks<S extends Session> {
  /** A session got its first socket. */
  entryOpened(entry: SessionEntry<S>): void;
  /** A session's last socket closed, or the session ended. */
  entryClosed(entry: SessionEntry<S>): void;
}

const CLOSE_REASONS: Record<SessionEndReason, string> = {
  deleted: 'Session ended',
  expired: 'Session expired',
};

/**
 * Which socket belongs to which session (Spring Session's WebSocket registry): the sessions
 * with open sockets, the sockets, and the `session`/`sessionId` view put on sockets and upgrade
 * requests. Ending a session closes its sockets; an ended id is remembered for a while so a socket
 * whose upgrade was still in flight is closed as soon as it is bound.
 */
export class SessionSocketRegistry<S extends Session> {
  readonly #entries = new Map<string, SessionEntry<S>>();
  readonly #sockets = new Map<WebSocket, SocketState<S>>();
  readonly #holders = new WeakMap<IncomingMessage, SessionHolder<S>>();
  readonly #recentlyEnded: RecentlyEndedSessions;
  readonly #closeCode: number;
  readonly #hooks: RegistryHooks<S>;

  constructor(options: { clock: () => number; closeCode: number; hooks: RegistryHooks<S> }) {
    this.#recentlyEnded = new RecentlyEndedSessions(options.clock);
    this.#closeCode = options.closeCode;
    this.#hooks = options.hooks;
  }

  /** Number of sockets tracked (open or closing). */
  get socketCount(): number {
    return this.#sockets.size;
  }

  /** The tracked sockets with their state. */
  sockets(): IterableIterator<[WebSocket, SocketState<S>]> {
    return this.#sockets.entries();
  }

  has(ws: WebSocket): boolean {
    return this.#sockets.has(ws);
  }

  /** Puts the `session` view on an upgrade request (`null`: anonymous). */
  exposeOnRequest(req: IncomingMessage, session: S | null): SessionHolder<S> {
    const holder: SessionHolder<S> = { session, entry: undefined };
    this.#holders.set(req, holder);
    this.#expose(req, holder);
    return holder;
  }

  /** The holder an authenticated (or anonymous) upgrade request got, if any. */
  holderOf(req: IncomingMessage): SessionHolder<S> | undefined {
    return this.#holders.get(req);
  }

  /**
   * Tracks `ws` under the request's holder and gives it the same `session` view. A socket whose
   * session ended while its upgrade was in flight is closed at once.
   */
  add(ws: WebSocket, holder: SessionHolder<S>, release: () => void): SocketState<S> {
    this.#expose(ws, holder);
    const state: SocketState<S> = { holder, alive: true, release };
    this.#sockets.set(ws, state);
    const session = holder.session;
    if (session === null) return state;
    if (this.#recentlyEnded.has(session.id)) {
      ws.close(this.#closeCode, CLOSE_REASONS.deleted);
      return state;
    }
    const entry = this.#entryFor(session);
    entry.sockets.add(ws);
    holder.entry = entry;
    return state;
  }

  /** Stops tracking a closed socket; a session without sockets left is forgotten. */
  remove(ws: WebSocket): void {
    const state = this.#sockets.get(ws);
    if (state === undefined) return;
    this.#sockets.delete(ws);
    const entry = state.holder.entry;
    if (entry === undefined) return;
    entry.sockets.delete(ws);
    if (entry.sockets.size === 0 && !entry.ended) this.#forget(entry);
  }

  /** The session a socket or upgrade request sees now; `null` when anonymous or ended. */
  sessionOf(target: WebSocket | IncomingMessage): S | null {
    const holder =
      this.#sockets.get(target as WebSocket)?.holder ?? this.#holders.get(target as IncomingMessage);
    return holder === undefined ? null : current(holder);
  }

  /** Open sockets of one session. */
  socketsOf(sessionId: string): WebSocket[] {
    return [...(this.#entries.get(sessionId)?.sockets ?? [])];
  }

  /** Closes every socket of a session that ended; returns how many were open. */
  closeSession(sessionId: string, reason: SessionEndReason): number {
    this.#recentlyEnded.remember(sessionId);
    const entry = this.#entries.get(sessionId);
    return entry === undefined ? 0 : this.end(entry, reason);
  }

  /** Marks `entry` ended and closes its sockets; returns how many were open. */
  end(entry: SessionEntry<S>, reason: SessionEndReason): number {
    entry.ended = true;
    this.#forget(entry);
    this.#recentlyEnded.remember(entry.id);
    let closed = 0;
    for (const ws of entry.sockets) {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) {
        ws.close(this.#closeCode, CLOSE_REASONS[reason]);
        closed++;
      }
    }
    return closed;
  }

  /** Stops watching every socket (they stay open) and forgets every session. */
  clear(): void {
    for (const entry of this.#entries.values()) this.#hooks.entryClosed(entry);
    for (const state of this.#sockets.values()) state.release();
    this.#entries.clear();
    this.#sockets.clear();
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
    this.#hooks.entryOpened(entry);
    return entry;
  }

  #forget(entry: SessionEntry<S>): void {
    this.#hooks.entryClosed(entry);
    if (this.#entries.get(entry.id) === entry) this.#entries.delete(entry.id);
  }

  #expose(target: object, holder: SessionHolder<S>): void {
    Object.defineProperty(target, 'session', {
      configurable: true,
      enumerable: false,
      get: () => current(holder),
    });
    Object.defineProperty(target, 'sessionId', {
      configurable: true,
      enumerable: false,
      get: () => current(holder)?.id ?? null,
    });
  }
}

function current<S extends Session>(holder: SessionHolder<S>): S | null {
  if (holder.entry !== undefined) return holder.entry.ended ? null : holder.entry.session;
  return holder.session;
}
