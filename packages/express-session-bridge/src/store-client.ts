import { SessionStoreUnavailableError } from '@session/core';
import type { ExpressSessionData, ExpressSessionStore, StoreCallback } from './store-types.js';

/**
 * Runs one callback-style store call as a promise bounded by `timeoutMs`. The callback is the
 * answer; a returned promise (connect-redis's methods are async) only counts when it rejects.
 * Every failure (error in the callback, synchronous throw, rejection, timeout) becomes a
 * {@link SessionStoreUnavailableError} carrying the original error as `cause`.
 */
export function callStore<T>(
  operation: string,
  timeoutMs: number,
  invoke: (callback: StoreCallback<T>) => unknown,
): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const fail = (cause: unknown): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      const detail = cause instanceof Error ? `: ${cause.message}` : '';
      reject(
        new SessionStoreUnavailableError(`The express-session store failed during ${operation}${detail}`, {
          cause,
        }),
      );
    };
    const callback: StoreCallback<T> = (err, value) => {
      if (err) {
        fail(err);
        return;
      }
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve(value ?? undefined);
    };
    if (Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(
          new SessionStoreUnavailableError(
            `The express-session store did not answer ${operation} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      timer.unref();
    }
    try {
      const returned = invoke(callback);
      if (returned !== null && typeof (returned as Promise<unknown>)?.then === 'function') {
        (returned as Promise<unknown>).then(undefined, (err: unknown) =>
          fail(err ?? new Error(`${operation} rejected`)),
        );
      }
    } catch (err) {
      fail(err);
    }
  });
}

/** The three store calls the bridge makes, each bounded and with failures typed. */
export class StoreClient {
  readonly #store: ExpressSessionStore;
  readonly #timeoutMs: number;

  constructor(store: ExpressSessionStore, timeoutMs: number) {
    this.#store = store;
    this.#timeoutMs = timeoutMs;
  }

  /** The stored session, or `undefined` when the store has none. */
  get(sid: string): Promise<unknown> {
    return callStore<unknown>('get', this.#timeoutMs, (cb) => this.#store.get(sid, cb));
  }

  async set(sid: string, data: ExpressSessionData): Promise<void> {
    await callStore<unknown>('set', this.#timeoutMs, (cb) => this.#store.set(sid, data, cb));
  }

  async destroy(sid: string): Promise<void> {
    await callStore<unknown>('destroy', this.#timeoutMs, (cb) => this.#store.destroy(sid, cb));
  }
}
