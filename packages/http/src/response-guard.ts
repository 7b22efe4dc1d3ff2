import { type ServerResponse, STATUS_CODES } from 'node:http';
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
 * The wrappers stay installed (they pass straight through afterwards) so that wrappers other
 * middleware installs later keep working.
 */
export function holdResponseUntilCommitted(
  response: ServerResponse,
  target: CommitTarget,
  options: HoldResponseOptions = {},
): void {
  const logger = options.logger ?? consoleLogger;
  const onCommitError = options.onCommitError ?? defaultCommitError(response);
  const realWriteHead = response.writeHead as AnyFn;
  const original: Record<HeldMethod, AnyFn> = {
    writeHead(this: ServerResponse, ...args: unknown[]) {
      return realWriteHead.apply(this, moveWriteHeadCookies(this, args));
    },
    write: response.write as AnyFn,
    end: response.end as AnyFn,
    flushHeaders: response.flushHeaders as AnyFn,
  };
  const restoreHeaders = options.restoreHeaders ?? snapshotResponseHeaders(response);
  let phase: 'open' | 'holding' | 'released' = 'open';
  const held: { method: HeldMethod; args: unknown[] }[] = [];

  const writeHeaders = (): void => {
    try {
      target.writeResponseHeaders();
    } catch (err) {
      logger.error('writing the session id to the response failed', err);
    }
  };

  const replay = (): void => {
    let lastWrite: boolean | undefined;
    try {
      for (const call of held.splice(0)) {
        const result = original[call.method].apply(response, call.args);
        if (call.method === 'write') lastWrite = result as boolean;
        if (call.method === 'end') lastWrite = undefined;
      }
    } catch (err) {
      // The app would have seen this throw synchronously; now there is nobody to tell.
      logger.error('replaying a held response write failed', err);
      response.destroy();
      return;
    }
    // Writers paused by our `false` wait for this; a `false` from the real write means a real drain follows.
    if (lastWrite === true) response.emit('drain');
  };

  const release = (error: unknown, failed: boolean): void => {
    phase = 'released';
    // Drop the own property so the prototype getter answers again.
    delete (response as { headersSent?: boolean }).headersSent;
    if (failed) {
      // Writers waiting for a callback of a dropped write (`await` on `write(chunk, cb)`) must not wait forever.
      const callbacks = held.splice(0).flatMap(({ args }) => {
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
              logger.error('a write callback threw', err);
            }
          }
        });
      }
      try {
        restoreHeaders();
        response.statusCode = commitErrorStatus(error);
        onCommitError(error);
      } catch (err) {
        logger.error('handling a session commit failure failed', err);
        response.destroy();
      }
      return;
    }
    writeHeaders();
    replay();
  };

  const hold = (method: HeldMethod, args: unknown[]): void => {
    held.push({ method, args });
    if (phase === 'holding') return;
    phase = 'holding';
    Object.defineProperty(response, 'headersSent', { configurable: true, get: () => true });
    target.commit().then(
      () => release(undefined, false),
      (err: unknown) => release(err, true),
    );
  };

  const intercept = (method: HeldMethod): AnyFn =>
    function (this: ServerResponse, ...args: unknown[]): unknown {
      if (phase === 'released') return original[method].apply(this, args);
      if (phase === 'open') {
        let needs = false;
        try {
          needs = target.needsCommit();
        } catch (err) {
          logger.error('checking the session for changes failed', err);
        }
        if (!needs) {
          phase = 'released';
          writeHeaders();
          return original[method].apply(this, args);
        }
      }
      hold(method, args);
      if (method === 'write') return false;
      return method === 'flushHeaders' ? undefined : this;
    };

  response.writeHead = intercept('writeHead') as ServerResponse['writeHead'];
  response.write = intercept('write') as ServerResponse['write'];
  response.end = intercept('end') as ServerResponse['end'];
  response.flushHeaders = intercept('flushHeaders') as ServerResponse['flushHeaders'];
}
