/**
 * The few types of @fastify/session this bench uses, which the app imports instead of the package's
 * own (an ambient module declaration wins over the package's types). Those declare
 * `FastifyRequest.session` as @fastify/session's session object, as `@session/fastify` declares it
 * as ours, and the two cannot live in one TypeScript program; the package's file still loads, but
 * its clashing declaration comes after ours and is in a library file (skipLibCheck), like
 * @types/express-session's, which connect-redis' types pull in (see express-session-shim.d.ts).
 */
declare module '@fastify/session' {
  import type { FastifyPluginCallback } from 'fastify';

  type Callback = (err?: unknown) => void;

  /** The store @fastify/session calls: express-session's three required methods, callback style. */
  export interface SessionStore {
    get(sessionId: string, callback: (err: unknown, session?: object | null) => void): void;
    set(sessionId: string, session: object, callback: Callback): void;
    destroy(sessionId: string, callback: Callback): void;
  }

  export interface FastifySessionOptions {
    secret: string;
    store?: SessionStore;
    cookieName?: string;
    rolling?: boolean;
    saveUninitialized?: boolean;
    cookie?: { secure?: boolean | 'auto'; maxAge?: number; path?: string; httpOnly?: boolean };
  }

  /** `request.session` under @fastify/session. */
  export interface FastifySessionObject {
    readonly sessionId: string;
    get(key: string): unknown;
    set(key: string, value: unknown): void;
    regenerate(ignoreFields?: string[]): Promise<void>;
    save(): Promise<void>;
  }

  const fastifySession: FastifyPluginCallback<FastifySessionOptions>;
  export default fastifySession;
}
