// express-session ships no types, and @types/express-session would retype `req.session` for the
// whole test program. This is all the migration test uses of it.
declare module 'express-session' {
  import type { RequestHandler } from 'express';

  interface ExpressSessionOptions {
    store: unknown;
    secret: string | string[];
    resave: boolean;
    saveUninitialized: boolean;
    name?: string;
  }

  /** What stores keep (csrf-sync adds its token through declaration merging). */
  export interface SessionData {
    cookie?: unknown;
  }

  export default function expressSession(options: ExpressSessionOptions): RequestHandler;
}
