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

function asStoreError(err: unknown, operation: string): unknown {
  if (err instanceof SessionError) return err;
  return new SessionStoreUnavailableError(`The session store failed during ${operation}`, { cause: err });
}

/** One bounded call waiting for its store, linked into its {@link DeadlineQueue} until settled. */
class PendingCall {
  readonly deadline: number;
  readonly operation: string;
  readonly reject: (error: unknown) => void;
  settled = false;
  prev: PendingCall | undefined;
  next: PendingCall | undefined;

  constructor(deadline: number, operation: string, reject: (error: unknown) => void) {
    this.deadline = deadline;
    this.operation = operation;
    this.reject = reject;
  }
}

/**
 * The calls bounded by one timeout, in the order they started (which is deadline order), under a
 * single timer set for the oldest one. One timer per timeout value instead of one per call: a
 * store call costs no timer, no extra promise and no `Promise.race`. A settled call is unlinked at
 * once, so nothing of a finished request stays reachable from here.
 */
class DeadlineQueue {
  readonly #timeoutMs: number;
  #first: PendingCall | undefined;
  #last: PendingCall | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  add(operation: string, reject: (error: unknown) => void): PendingCall {
    const call = new PendingCall(performance.now() + this.#timeoutMs, operation, reject);
    const last = this.#last;
    call.prev = last;
    if (last === undefined) this.#first = call;
    else last.next = call;
    this.#last = call;
    if (this.#timer === undefined) this.#schedule(call.deadline, this.#timeoutMs);
    return call;
  }

  /** Marks `call` settled and unlinks it; false when it was settled already (by its deadline). */
  settle(call: PendingCall): boolean {
    if (call.settled) return false;
    call.settled = true;
    const { prev, next } = call;
    if (prev === undefined) this.#first = next;
    else prev.next = next;
    if (next === undefined) this.#last = prev;
    else next.prev = prev;
    call.prev = undefined;
    call.next = undefined;
    return true;
  }

  #schedule(deadline: number, delayMs: number): void {
    this.#timer = setTimeout(() => this.#expire(deadline), Math.max(1, Math.ceil(delayMs)));
    this.#timer.unref?.();
  }

  /**
   * The timer set for `deadline` fired: fails every call due by then and waits for the next
   * deadline. Deadlines are compared with each other, not with the clock at firing time, so a call
   * is never failed before a timer has run its full delay.
   */
  #expire(deadline: number): void {
    this.#timer = undefined;
    for (let call = this.#first; call !== undefined && call.deadline <= deadline; call = this.#first) {
      this.settle(call);
      call.reject(
        new SessionStoreUnavailableError(
          `The session store did not answer ${call.operation} within ${this.#timeoutMs} ms`,
        ),
      );
    }
    const first = this.#first;
    if (first !== undefined) this.#schedule(first.deadline, first.deadline - performance.now());
  }
}

const queues = new Map<number, DeadlineQueue>();

function deadlineQueue(timeoutMs: number): DeadlineQueue {
  let queue = queues.get(timeoutMs);
  if (queue === undefined) {
    queue = new DeadlineQueue(timeoutMs);
    queues.set(timeoutMs, queue);
  }
  return queue;
}

/**
 * Runs one store call with a time bound, so a hung store never hangs a request. Failures that are
 * not already this library's errors (connection resets, driver errors, the timeout) become a
 * {@link SessionStoreUnavailableError} (HTTP 503). Library errors such as a serialization error
 * keep their meaning and pass through unchanged. A call abandoned at its deadline may still fail
 * later; that never becomes an unhandled rejection.
 */
export function callStore<T>(operation: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  let pending: Promise<T>;
  try {
    pending = Promise.resolve(call());
  } catch (err) {
    return Promise.reject(asStoreError(err, operation));
  }
  if (!Number.isFinite(timeoutMs)) {
    return pending.then(undefined, (err: unknown) => {
      throw asStoreError(err, operation);
    });
  }
  return new Promise<T>((resolve, reject) => {
    const queue = deadlineQueue(timeoutMs);
    const bound = queue.add(operation, reject);
    pending.then(
      (value) => {
        if (queue.settle(bound)) resolve(value);
      },
      (err: unknown) => {
        if (queue.settle(bound)) reject(asStoreError(err, operation));
      },
    );
  });
}
