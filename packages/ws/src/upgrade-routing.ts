import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { rejectUpgrade } from './reject.js';
import type { UpgradeEmitter } from './types.js';

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Upgrade listeners installed by {@link routeUpgrades}, of every `WebSocketSessions` instance. */
const ourListeners = new WeakSet<UpgradeListener>();
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
  if (!listeners.every((listener) => ourListeners.has(listener as UpgradeListener))) return;
  // The other listeners run after this one within the same emit; decide once they all have.
  setImmediate(() => {
    if (claimedUpgrades.has(req)) return;
    claimedUpgrades.add(req);
    // Node removed its own error handler when it handed the socket over; a reset must not crash us.
    socket.on('error', () => socket.destroy());
    rejectUpgrade(socket, 400, 'Bad Request');
  });
}

/**
 * Routes `server`'s upgrades for the paths `wss` serves to `handle`; upgrades for paths no routed
 * WebSocketServer serves are answered 400 (unless the server has other `upgrade` listeners that
 * may take them). A `handle` that rejects destroys the socket after `onError`. Returns a function
 * that removes the listener.
 */
export function routeUpgrades(
  server: UpgradeEmitter,
  wss: WebSocketServer,
  handle: (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>,
  onError: (err: unknown) => void,
): () => void {
  const onUpgrade: UpgradeListener = (req, socket, head) => {
    // Another WebSocketServer on the same server may own this path.
    if (!wss.shouldHandle(req)) {
      refuseIfUnclaimed(server, req, socket);
      return;
    }
    claimedUpgrades.add(req);
    handle(req, socket, head).catch((err: unknown) => {
      onError(err);
      socket.destroy();
    });
  };
  ourListeners.add(onUpgrade);
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('upgrade', onUpgrade);
  };
}
