import type { Session, SessionLogger, SessionRepository } from '@session/core';
import { silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { afterEach } from 'vitest';
import { createDemo, type Demo } from '../../src/app.js';

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of running.splice(0).reverse()) await close();
});

/** A demo listening on a free port, closed (with its repository) after the test. */
export async function startDemo(
  options: { repository?: SessionRepository<Session>; host?: string; logger?: SessionLogger } = {},
): Promise<{ demo: Demo; base: string; repository: SessionRepository<Session> }> {
  const repository = options.repository ?? new MemorySessionRepository();
  const demo = createDemo({ repository, storeLabel: 'memory:', logger: options.logger ?? silentLogger });
  const base = await demo.listen(0, options.host ?? '127.0.0.1');
  running.push(async () => {
    await demo.close();
    if (options.repository === undefined) await repository.close?.();
  });
  return { demo, base, repository };
}

/** One response as a test reads it. */
export interface Page {
  readonly status: number;
  readonly location: string | null;
  readonly body: string;
}

/**
 * A client that keeps its `SESSION` cookie between requests, as one browser does, and follows
 * nothing by itself (so tests see each redirect).
 */
export class CookieClient {
  #cookie: string | undefined;

  constructor(
    readonly base: string,
    readonly userAgent = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
  ) {}

  get hasSession(): boolean {
    return this.#cookie !== undefined;
  }

  /** The `Cookie` header this browser sends (`SESSION=…`), if it has a session. */
  get cookieHeader(): string | undefined {
    return this.#cookie;
  }

  async get(path: string): Promise<Page> {
    return this.#send(path, { method: 'GET' });
  }

  async post(path: string, form: Record<string, string>): Promise<Page> {
    return this.#send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Signs in through the form; resolves once the sessions page answers. */
  async signIn(username: string): Promise<Page> {
    const res = await this.post('/login', { username, password: 'demo' });
    if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}: ${res.body}`);
    return this.get('/');
  }

  /** The anti-CSRF token of the current page's forms. */
  async csrf(): Promise<string> {
    const page = await this.get('/');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    if (token === undefined) throw new Error('no CSRF token on the sessions page');
    return token;
  }

  async #send(path: string, init: RequestInit): Promise<Page> {
    const headers = new Headers(init.headers);
    headers.set('user-agent', this.userAgent);
    if (this.#cookie !== undefined) headers.set('cookie', this.#cookie);
    const res = await fetch(`${this.base}${path}`, { ...init, headers, redirect: 'manual' });
    for (const setCookie of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = setCookie.split(';');
      if (!pair.startsWith('SESSION=')) continue;
      const expired = pair === 'SESSION=' || attributes.some((a) => a.trim() === 'Max-Age=0');
      this.#cookie = expired ? undefined : pair;
    }
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  }
}

/** Signs in through the REST API and returns the token. */
export async function apiLogin(base: string, username: string): Promise<string> {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'curl/8.5.0' },
    body: JSON.stringify({ username, password: 'demo' }),
  });
  if (res.status !== 200) throw new Error(`API sign-in failed with ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}
