/** A Node-style callback, as express-session's and koa-session's session methods take. */
export type NodeCallback = (error?: Error) => void;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Reports the outcome of `work` to `callback`: called with no argument when it succeeded, with the
 * error when it failed (an operation that did not happen never reports success). The callback
 * runs outside the promise chain, so an exception it throws is an uncaught exception, as it would
 * be with the library it replaces, never a silently lost rejection. Without a callback a failure
 * goes to `onUnreported`.
 */
export function settleWithCallback(
  work: Promise<unknown>,
  callback: NodeCallback | undefined,
  onUnreported: (error: Error) => void,
): void {
  work.then(
    () => {
      if (callback !== undefined) process.nextTick(callback);
    },
    (error: unknown) => {
      if (callback !== undefined) process.nextTick(callback, asError(error));
      else onUnreported(asError(error));
    },
  );
}
