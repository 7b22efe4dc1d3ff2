import { ServerResponse, STATUS_CODES } from 'node:http';
import type { SessionLogger } from '@session/core';
import { consoleLogger } from '@session/core';

/** What {@link holdResponseUntilCommitted} needs from the per-request session. */
export interface CommitTarget {
  /** Synchronous: does anything have to be saved before the headers may leave? */
  needsCommit(): boolean;
  /** Saves; rejects with the store error. */
  commit(): Promise<void>;
  /** Synchronous: sets the id cookie/header; called right before the headers leave. */
  writeResponseHeaders(): void;
}

/** Options of {@link holdResponseUntilCommitted}. */
export interface HoldResponseOptions {
  /**
   * Called when the commit fails. Every held write is dropped (callbacks passed to them are called
   * with an error on the next tick), nothing has been sent, the headers are back to what they were
   * when the guard was installed and the status is the error's (409 for a
   * `SessionSaveConflictError`, else 503), so the handler can still produce an error response
   * (the Express adapter passes the error to `next`). Default: a plain-text response with that status.
   */
  onCommitError?: (error: unknown) => void;
  logger?: SessionLogger;
  /**
   * Puts the response headers back to where they were before the app ran (see
   * {@link snapshotResponseHeaders}); default: a snapshot taken when the guard is installed.
   */
  restoreHeaders?: () => void;
}

type HeldMethod = 'writeHead' | 'write' | 'end' | 'flushHeaders';
type AnyFn = (...args: unknown[]) => unknown;

function cookieList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/**
 * `writeHead(status, headers)` applies its headers with `setHeader`, so a `Set-Cookie` passed there
 * would replace the session cookie set earlier. Moves those cookies onto the response, after the
 * ones already set, and returns the arguments without them.
 */
function moveWriteHeadCookies(response: ServerResponse, args: unknown[]): unknown[] {
  const index = typeof args[1] === 'string' ? 2 : 1;
  const headers = args[index];
  if (headers === null || typeof headers !== 'object') return args;
  const moved: string[] = [];
  let rest: unknown;
  if (Array.isArray(headers)) {
    // The flat form: name, value, name, value, ...
    if (headers.length % 2 !== 0) return args;
    const kept: unknown[] = [];
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i];
      if (typeof name === 'string' && name.toLowerCase() === 'set-cookie')
        moved.push(...cookieList(headers[i + 1]));
      else kept.push(name, headers[i + 1]);
    }
    rest = kept;
  } else {
    const kept: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() === 'set-cookie') moved.push(...cookieList(value));
      else kept[name] = value;
    }
    rest = kept;
  }
  if (moved.length === 0) return args;
  response.setHeader('set-cookie', [...cookieList(response.getHeader('set-cookie')), ...moved]);
  const copy = [...args];
  copy[index] = rest;
  return copy;
}

/**
 * Remembers the response headers set so far and returns a function that puts the response back to
 * exactly those. Adapters take it before the app runs: when a save fails, what the app's handlers
 * added (Location, Content-Type, ETag, ...) is dropped while headers of earlier middleware (CORS,
 * security headers) stay for the error response.
 */
export function snapshotResponseHeaders(response: ServerResponse): () => void {
  // getHeaders() already returns a copy; it is only walked if the headers must be put back.
  const saved = response.getHeaders();
  return () => {
    for (const name of response.getHeaderNames()) response.removeHeader(name);
    for (const name of Object.keys(saved)) {
      const value = saved[name];
      if (value !== undefined) response.setHeader(name, value);
    }
  };
}

/**
 * The status a failed commit answers with: the error's own `status` (409 for a
 * `SessionSaveConflictError`, 503 for `SessionStoreUnavailableError`), else 503.
 */
export function commitErrorStatus(error: unknown): number {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599
    ? status
    : 503;
}

function defaultCommitError(response: ServerResponse): (error: unknown) => void {
  return () => {
    response.setHeader('content-type', 'text/plain; charset=utf-8');
    response.end(STATUS_CODES[response.statusCode] ?? 'Service Unavailable');
  };
}

/**
 * Makes sure the session is saved before a response's headers leave, whatever sends them:
 * `res.end`, `res.send`/`json`/`redirect` (which end in `res.end`), `stream.pipe(res)`,
 * `res.writeHead`, `res.flushHeaders`, error handlers.
 *
 * The first of those calls checks `needsCommit()`. When nothing needs saving the call goes straight
 * through (after `writeResponseHeaders()`). Otherwise it and every later call are held, in order,
 * while `commit()` runs; then the id header is written and the held calls are replayed. A held
 * `write` returns `false`, so piped streams pause until the replay emits `drain`. While calls are
 * held `res.headersSent` reads `true`, as it would without the hold.
 *
 * Where a framework gives responses a prototype of its own (Express), the interceptors live on
 * that prototype, installed once, and each guarded response is found in a WeakMap: methods
 * assigned to every response object make Node's and Express's response code measurably slower.
 * A response with methods of its own (another middleware wrapped them first) or already guarded
 * gets wrappers of its own instead, around what it has. Either way the wrappers stay installed
 * (they pass straight through afterwards) so that wrappers other middleware adds later keep working.
 */
export function holdResponseUntilCommitted(
  response: ServerResponse,
  target: CommitTarget,
  options: HoldResponseOptions = {},
): void {
  const shared = sharedPrototypeOf(response);
  if (shared !== undefined) {
    const guard = new ResponseGuard(response, target, options, (method) => shared.above[method]);
    guards.set(response, guard);
    return;
  }
  const own = {
    writeHead: response.writeHead as AnyFn,
    write: response.write as AnyFn,
    end: response.end as AnyFn,
    flushHeaders: response.flushHeaders as AnyFn,
  };
  const guard = new ResponseGuard(response, target, options, (method) => own[method]);
  guard.ownHeadersSent = true;
  for (const method of HELD_METHODS) {
    (response as unknown as Record<HeldMethod, AnyFn>)[method] = function (this: ServerResponse, ...args) {
      return guard.call(method, this, args);
    };
  }
}

const HELD_METHODS: readonly HeldMethod[] = ['writeHead', 'write', 'end', 'flushHeaders'];

/** The guard of each response whose prototype carries the interceptors. */
const guards = new WeakMap<object, ResponseGuard>();

interface PatchedPrototype {
  /** The methods the prototype chain had above the interceptors. */
  readonly above: Record<HeldMethod, AnyFn>;
}

/** Framework prototypes that carry the interceptors, with what they intercept. */
const patched = new WeakMap<object, PatchedPrototype>();

/**
 * The framework prototype (the one right above `http.ServerResponse.prototype`, Express's
 * `express.response`) carrying the interceptors, patched now if need be; `undefined` when the
 * response must get wrappers of its own: it is a plain `ServerResponse`, is guarded already, or
 * it or a prototype below the framework's has its own version of a held method (wrapped by some
 * middleware, possibly before the interceptors existed, so calls might never reach them).
 */
function sharedPrototypeOf(response: ServerResponse): PatchedPrototype | undefined {
  if (guards.has(response)) return undefined;
  let level: object | null = response;
  for (let depth = 0; depth < 4 && level !== null; depth++) {
    const proto: object | null = Object.getPrototypeOf(level);
    if (proto === null) return undefined;
    if (Object.getPrototypeOf(proto) === ServerResponse.prototype) {
      if (hasOwnHeldMethod(level)) return undefined;
      return patched.get(proto) ?? patchPrototype(proto);
    }
    if (hasOwnHeldMethod(level)) return undefined;
    level = proto;
  }
  return undefined;
}

function hasOwnHeldMethod(object: object): boolean {
  return (
    Object.hasOwn(object, 'end') ||
    Object.hasOwn(object, 'write') ||
    Object.hasOwn(object, 'writeHead') ||
    Object.hasOwn(object, 'flushHeaders')
  );
}

function patchPrototype(proto: object): PatchedPrototype {
  const chain = proto as Record<HeldMethod, AnyFn>;
  const above = {} as Record<HeldMethod, AnyFn>;
  for (const method of HELD_METHODS) above[method] = chain[method];
  const entry: PatchedPrototype = { above };
  for (const method of HELD_METHODS) {
    const passThrough = above[method];
    Object.defineProperty(proto, method, {
      configurable: true,
      writable: true,
      value: function (this: ServerResponse, ...args: unknown[]): unknown {
        const guard = guards.get(this);
        return guard === undefined ? passThrough.apply(this, args) : guard.call(method, this, args);
      },
    });
  }
  // While calls are held the headers count as sent, as they would be without the hold.
  const headersSent = findGetter(proto, 'headersSent');
  if (headersSent !== undefined) {
    Object.defineProperty(proto, 'headersSent', {
      configurable: true,
      get(this: ServerResponse): boolean {
        return guards.get(this)?.holding === true || (headersSent.call(this) as boolean);
      },
    });
  }
  patched.set(proto, entry);
  return entry;
}

function findGetter(object: object, name: string): (() => unknown) | undefined {
  for (let level: object | null = object; level !== null; level = Object.getPrototypeOf(level)) {
    const descriptor = Object.getOwnPropertyDescriptor(level, name);
    if (descriptor !== undefined) return descriptor.get;
  }
  return undefined;
}

/** One response's hold: open until the first send, then held while the commit runs, then released. */
class ResponseGuard {
  readonly #response: ServerResponse;
  readonly #target: CommitTarget;
  readonly #logger: SessionLogger;
  readonly #onCommitError: (error: unknown) => void;
  readonly #restoreHeaders: () => void;
  readonly #original: (method: HeldMethod) => AnyFn;
  #phase: 'open' | 'holding' | 'released' = 'open';
  readonly #held: { method: HeldMethod; args: unknown[] }[] = [];
  /** Wrappers of its own: `headersSent` is overridden on the response itself while holding. */
  ownHeadersSent = false;

  constructor(
    response: ServerResponse,
    target: CommitTarget,
    options: HoldResponseOptions,
    original: (method: HeldMethod) => AnyFn,
  ) {
    this.#response = response;
    this.#target = target;
    this.#logger = options.logger ?? consoleLogger;
    this.#onCommitError = options.onCommitError ?? defaultCommitError(response);
    this.#restoreHeaders = options.restoreHeaders ?? snapshotResponseHeaders(response);
    this.#original = original;
  }

  get holding(): boolean {
    return this.#phase === 'holding';
  }

  call(method: HeldMethod, response: ServerResponse, args: unknown[]): unknown {
    if (this.#phase === 'released') return this.#invoke(method, response, args);
    if (this.#phase === 'open') {
      let needs = false;
      try {
        needs = this.#target.needsCommit();
      } catch (err) {
        this.#logger.error('checking the session for changes failed', err);
      }
      if (!needs) {
        this.#phase = 'released';
        this.#writeHeaders();
        return this.#invoke(method, response, args);
      }
    }
    this.#hold(method, args);
    if (method === 'write') return false;
    return method === 'flushHeaders' ? undefined : response;
  }

  #invoke(method: HeldMethod, response: ServerResponse, args: unknown[]): unknown {
    const real = this.#original(method);
    // writeHead(status, headers) must not replace the session cookie with the app's Set-Cookie.
    return real.apply(response, method === 'writeHead' ? moveWriteHeadCookies(response, args) : args);
  }

  #writeHeaders(): void {
    try {
      this.#target.writeResponseHeaders();
    } catch (err) {
      this.#logger.error('writing the session id to the response failed', err);
    }
  }

  #hold(method: HeldMethod, args: unknown[]): void {
    this.#held.push({ method, args });
    if (this.#phase === 'holding') return;
    this.#phase = 'holding';
    if (this.ownHeadersSent) {
      Object.defineProperty(this.#response, 'headersSent', { configurable: true, get: () => true });
    }
    this.#target.commit().then(
      () => this.#release(undefined, false),
      (err: unknown) => this.#release(err, true),
    );
  }

  #replay(): void {
    const response = this.#response;
    let lastWrite: boolean | undefined;
    try {
      for (const call of this.#held.splice(0)) {
        const result = this.#invoke(call.method, response, call.args);
        if (call.method === 'write') lastWrite = result as boolean;
        if (call.method === 'end') lastWrite = undefined;
      }
    } catch (err) {
      // The app would have seen this throw synchronously; now there is nobody to tell.
      this.#logger.error('replaying a held response write failed', err);
      response.destroy();
      return;
    }
    // Writers paused by our `false` wait for this; a `false` from the real write means a real drain follows.
    if (lastWrite === true) response.emit('drain');
  }

  #release(error: unknown, failed: boolean): void {
    const response = this.#response;
    this.#phase = 'released';
    // Drop the own property so the prototype getter answers again.
    if (this.ownHeadersSent) delete (response as { headersSent?: boolean }).headersSent;
    if (!failed) {
      this.#writeHeaders();
      this.#replay();
      return;
    }
    // Writers waiting for a callback of a dropped write (`await` on `write(chunk, cb)`) must not wait forever.
    const callbacks = this.#held.splice(0).flatMap(({ args }) => {
      const last = args[args.length - 1];
      return typeof last === 'function' ? [last as (err: unknown) => void] : [];
    });
    if (callbacks.length > 0) {
      const dropped = new Error('The response was discarded: the session could not be saved', {
        cause: error,
      });
      process.nextTick(() => {
        for (const callback of callbacks) {
          try {
            callback(dropped);
          } catch (err) {
            this.#logger.error('a write callback threw', err);
          }
        }
      });
    }
    try {
      this.#restoreHeaders();
      response.statusCode = commitErrorStatus(error);
      this.#onCommitError(error);
    } catch (err) {
      this.#logger.error('handling a session commit failure failed', err);
      response.destroy();
    }
  }
}
