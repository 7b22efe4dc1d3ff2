import type { WebSocket } from 'ws';

/** What the heartbeat needs to know of a socket. */
export interface Pingable {
  /** Answered the last ping. */
  alive: boolean;
}

/**
 * Pings every tracked socket each `intervalMs` and terminates those that did not answer the
 * previous ping: a peer that vanished without a close frame (a laptop lid, a dropped network)
 * would otherwise keep its socket, and its session's keep-alive, forever. Runs only while there
 * are sockets.
 */
export class SocketHeartbeat {
  readonly #intervalMs: number;
  readonly #sockets: () => Iterable<[WebSocket, Pingable]>;
  #timer: NodeJS.Timeout | undefined;

  constructor(intervalMs: number, sockets: () => Iterable<[WebSocket, Pingable]>) {
    this.#intervalMs = intervalMs;
    this.#sockets = sockets;
  }

  start(): void {
    if (this.#intervalMs === 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#beat(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #beat(): void {
    for (const [ws, state] of this.#sockets()) {
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
  }
}
