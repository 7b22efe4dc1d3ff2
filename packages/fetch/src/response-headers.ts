import type { SessionResponse } from '@session/http';

type HeaderValue = number | string | readonly string[];

/**
 * The response side of a Web exchange: a Web `Response` does not exist yet while the app runs, so
 * the id cookie or header a resolver writes is kept here and put on the app's `Response` when it
 * is committed ({@link withSessionHeaders}).
 */
export class PendingResponseHeaders implements SessionResponse {
  #headers: Map<string, HeaderValue> | undefined;

  getHeader(name: string): number | string | string[] | undefined {
    const value = this.#headers?.get(name.toLowerCase());
    return Array.isArray(value) ? [...value] : (value as number | string | undefined);
  }

  setHeader(name: string, value: HeaderValue): this {
    this.#headers ??= new Map();
    this.#headers.set(name.toLowerCase(), value);
    return this;
  }

  /** True when nothing was written. */
  get isEmpty(): boolean {
    return this.#headers === undefined || this.#headers.size === 0;
  }

  /** The written headers, lower-case names. */
  entries(): Iterable<[string, HeaderValue]> {
    return this.#headers?.entries() ?? [];
  }
}

/** The cookie name of a `Set-Cookie` value. */
function cookieName(setCookie: string): string {
  const eq = setCookie.indexOf('=');
  return (eq === -1 ? setCookie : setCookie.slice(0, eq)).trim();
}

function apply(headers: Headers, pending: PendingResponseHeaders): void {
  for (const [name, value] of pending.entries()) {
    if (name === 'set-cookie') {
      const ours = Array.isArray(value) ? (value as string[]) : [String(value)];
      // The session's decision wins over a cookie of the same name the app set (as `putSetCookie` does).
      const names = new Set(ours.map(cookieName));
      const kept = headers.getSetCookie().filter((cookie) => !names.has(cookieName(cookie)));
      headers.delete('set-cookie');
      for (const cookie of [...kept, ...ours]) headers.append('set-cookie', cookie);
    } else {
      headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    }
  }
}

/** A body stream that calls `onDone` once it has been read to the end, failed or been cancelled. */
function watched(body: ReadableStream<Uint8Array>, onDone: () => void): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    onDone();
  };
  // Pull-based: one chunk is read when the consumer asks for one, so backpressure is kept.
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      reader ??= body.getReader();
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          finish();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        controller.error(error);
        finish();
      }
    },
    cancel(reason) {
      finish();
      return (reader ?? body).cancel(reason);
    },
  });
}

/**
 * The response the client gets for `response`: with the pending id cookie or header, and, given
 * `onBodyDone`, a body that calls it once it has been sent (so changes the app makes while it
 * streams can still be saved). With nothing to add, `response` itself.
 *
 * Otherwise a new `Response` with the same status, headers and body: the headers are read before
 * the body, and the new one holds them in a `Headers` object of its own, so it is right whatever
 * the original was (immutable after `Response.redirect()` or `fetch()`, or a `@hono/node-server`
 * response whose header changes would be lost once its body is read).
 */
export function finishResponse(
  response: Response,
  pending: PendingResponseHeaders,
  onBodyDone?: () => void,
): Response {
  if (pending.isEmpty && onBodyDone === undefined) return response;
  const status = response.status;
  if (status < 200 || status > 599) {
    // A status a Response cannot be built with (101, the 0 of Response.error()): set what can be set.
    try {
      apply(response.headers, pending);
    } catch {
      // Immutable: nothing to do for such a response.
    }
    return response;
  }
  const headers = new Headers(response.headers);
  apply(headers, pending);
  let body = response.body;
  if (onBodyDone !== undefined && body !== null && !response.bodyUsed) body = watched(body, onBodyDone);
  return new Response(body, { status, statusText: response.statusText, headers });
}
