/**
 * The few types of express-session this bench uses. `@types/express-session` is left out on
 * purpose: it augments `Express.Request.session` globally, as `@session/express` does, and the
 * two cannot live in one TypeScript program.
 */
declare module 'express-session' {
  import type { RequestHandler } from 'express';

  export interface SessionData {
    [key: string]: unknown;
  }

  export class Store {}

  export interface ExpressSession {
    passport?: { user?: string };
    csrfToken?: string;
    lastPage?: string;
    regenerate(callback: (err?: unknown) => void): void;
    save(callback: (err?: unknown) => void): void;
  }

  export interface SessionOptions {
    store: Store;
    secret: string;
    resave: boolean;
    saveUninitialized: boolean;
    cookie?: { maxAge?: number };
  }

  export default function session(options: SessionOptions): RequestHandler;
}
