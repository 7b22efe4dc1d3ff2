import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Session } from '@session/core';
import type { WebSocket } from 'ws';
import type { SessionIdSource } from './id-sources.js';

/** Outcome of `WebSocketSessions.authenticate`. */
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

/** A socket accepted through `WebSocketSessions`: its session, `null` once the session ended. */
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
