import type { RequestListener } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * What every contender app serves. Each route is one scenario of the HTTP benchmark, plus `/seed`,
 * which makes the logged-in session the `read` and `write` scenarios present.
 *
 * - `GET /anon`   anonymous: no cookie, the handler does not touch the session.
 * - `GET /read`   a logged-in session cookie; the handler reads one attribute (the user).
 * - `POST /write` a logged-in session cookie; the handler sets one attribute (`lastPage`).
 * - `POST /login` no cookie; the handler logs a user in (ours: `setPrincipal`, which rotates the id
 *                 of a stored session; the incumbents: regenerate + set + save, as Passport does).
 * - `POST /seed`  no cookie; logs a user in and sets a CSRF token: the session the read and write
 *                 scenarios use.
 */
export const ROUTES = {
  anonymous: { method: 'GET', path: '/anon' },
  read: { method: 'GET', path: '/read' },
  write: { method: 'POST', path: '/write' },
  login: { method: 'POST', path: '/login' },
  seed: { method: 'POST', path: '/seed' },
} as const;

/** Where a contender app keeps its sessions. */
export interface AppContext {
  /** `redis://host:port` (in the calibration pass: a counting proxy in front of the server). */
  redisUrl: string;
  /** Redis database of this contender, so contenders never share keys. */
  db: number;
  /** Key prefix for the store. */
  namespace: string;
  /** Contender-specific choice, e.g. `default` or `indexed` for our Redis repositories. */
  variant?: string;
}

/** A contender app, ready to serve. */
export interface BenchApp {
  listener: RequestListener;
  /** Closes the store and its Redis connections. */
  close(): Promise<void>;
}

export type AppFactory = (context: AppContext) => Promise<BenchApp>;

/**
 * A Fastify app as a request listener. Express and Koa hand one out; Fastify owns its HTTP server
 * instead. `app.routing` is the handler Fastify's own server runs (rewriteUrl, routing, the whole
 * request lifecycle), so server-child.ts serves Fastify like the others, with the same server
 * settings, once every plugin has loaded.
 */
export async function fastifyListener(app: FastifyInstance): Promise<RequestListener> {
  await app.ready();
  return app.routing;
}

/** Idle timeout every contender is configured with (the stores' TTL), 30 minutes. */
export const SESSION_TTL_MS = 30 * 60_000;

let users = 0;
/** A fresh user name per login (a pool of 100 000, so principal indexes stay one session per user). */
export function nextUser(): string {
  users = (users + 1) % 100_000;
  return `user-${users}`;
}

let pages = 0;
/** A new value per write, so change-detecting stores always see a change. */
export function nextPage(): string {
  pages++;
  return `/products/${pages}`;
}

/** A CSRF token as apps keep them in sessions (32 url-safe characters). */
export function csrfToken(): string {
  return (
    Math.random().toString(36).slice(2, 18).padEnd(16, 'x') +
    Math.random().toString(36).slice(2, 18).padEnd(16, 'y')
  );
}
