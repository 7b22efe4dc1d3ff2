import { InvalidArgumentError, SessionError, SessionStoreUnavailableError } from '@session/core';

/** Default bound on one store call made for a request, in ms. */
export const DEFAULT_STORE_TIMEOUT_MS = 2000;

/** Validates a `storeTimeoutMs` option: a positive number of ms, or `Infinity` for no bound. */
export function checkStoreTimeout(value: number | undefined): number {
  if (value === undefined) return DEFAULT_STORE_TIMEOUT_MS;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new InvalidArgumentError(
      `storeTimeoutMs must be a positive number of ms (or Infinity), got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Runs one store call with a time bound, so a hung store never hangs a request. Failures that are
 * not already this library's errors (connection resets, driver errors, the timeout) become a
 * {@link SessionStoreUnavailableError} (HTTP 503). Library errors such as a serialization error
 * keep their meaning and pass through unchanged.
 */
export async function callStore<T>(operation: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const pending = Promise.resolve().then(call);
    if (!Number.isFinite(timeoutMs)) return await pending;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(
          new SessionStoreUnavailableError(
            `The session store did not answer ${operation} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      timer.unref?.();
    });
    // The abandoned call may still fail later; that must not become an unhandled rejection.
    pending.catch(() => {});
    return await Promise.race([pending, timeout]);
  } catch (err) {
    if (err instanceof SessionError) throw err;
    throw new SessionStoreUnavailableError(`The session store failed during ${operation}`, { cause: err });
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
