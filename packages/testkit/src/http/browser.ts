import { parseSetCookie, type SendOptions, send, type TestResponse } from './client.js';

/**
 * A client that keeps cookies the way a browser does (by name; an empty value or `Max-Age=0`
 * deletes one), for tests that walk an app through several requests: sign in, browse, sign out.
 * Paths, domains and expiry dates are not modelled: every cookie goes with every request.
 */
export class TestBrowser {
  readonly #cookies = new Map<string, string>();

  /** The cookies held now, by name. */
  get cookies(): ReadonlyMap<string, string> {
    return this.#cookies;
  }

  /** The `Cookie` header this browser sends, or `undefined` with no cookies. */
  get cookieHeader(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Sets a cookie by hand (as if an earlier response had set it). */
  setCookie(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  /** Forgets every cookie. */
  clear(): void {
    this.#cookies.clear();
  }

  /** Sends a request with this browser's cookies and keeps the cookies of the response. */
  async send(url: string, options: Omit<SendOptions, 'cookie'> = {}): Promise<TestResponse> {
    const res = await send(url, { ...options, cookie: this.cookieHeader });
    for (const raw of res.setCookies) {
      const cookie = parseSetCookie(raw);
      if (cookie.value === '' || cookie.attributes.get('max-age') === '0') this.#cookies.delete(cookie.name);
      else this.#cookies.set(cookie.name, cookie.value);
    }
    return res;
  }

  /** Sends a JSON body (`POST` unless `method` says otherwise). */
  sendJson(
    url: string,
    body: unknown,
    options: Omit<SendOptions, 'cookie' | 'body'> = {},
  ): Promise<TestResponse> {
    return this.send(url, {
      method: 'POST',
      ...options,
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
    });
  }
}
