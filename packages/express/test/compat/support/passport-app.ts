import flash from 'connect-flash';
import { csrfSync } from 'csrf-sync';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';

interface User {
  username: string;
}

/**
 * An app written for express-session, as teams run it today: Passport 0.7 with passport-local
 * (login regenerates the session, logout too), connect-flash for messages, csrf-sync keeping its
 * token in the session, and plain `req.session.<name>` attributes. Only the session middleware is
 * handed in: the tests run the same code on express-session and on `@session/express/compat`.
 * `extend` adds routes after the app's own (before its error handler).
 */
export function passportApp(sessionMiddleware: RequestHandler, extend?: (app: Express) => void): Express {
  const passport = new Passport();
  passport.use(
    new LocalStrategy((username, password, done) =>
      password === 'demo' ? done(null, { username }) : done(null, false, { message: 'Wrong password' }),
    ),
  );
  passport.serializeUser((user, done) => done(null, (user as User).username));
  passport.deserializeUser((username: string, done) => done(null, { username }));
  const { csrfSynchronisedProtection, generateToken } = csrfSync();

  const app = express();
  app.use(express.json());
  app.use(sessionMiddleware);
  app.use(flash());
  app.use(passport.initialize());
  app.use(passport.session());

  app.get('/csrf', (req, res) => {
    res.json({ token: generateToken(req) });
  });
  app.post(
    '/login',
    csrfSynchronisedProtection,
    passport.authenticate('local', { failureRedirect: '/login', failureFlash: true }),
    (req, res) => {
      res.json({ user: (req.user as User).username });
    },
  );
  app.get('/login', (req, res) => {
    res.json({ errors: req.flash('error') });
  });
  app.get('/me', (req, res) => {
    if (req.user === undefined) {
      res.status(401).json({ user: null });
      return;
    }
    const session = req.session as unknown as Record<string, unknown>;
    session.visits = ((session.visits as number | undefined) ?? 0) + 1;
    res.json({ user: (req.user as User).username, visits: session.visits, notes: session.notes ?? [] });
  });
  app.post('/notes', csrfSynchronisedProtection, (req, res) => {
    const session = req.session as unknown as { notes?: string[] };
    // Changed in place, as apps do: the array is never assigned back.
    if (session.notes === undefined) session.notes = [];
    session.notes.push(String(req.body.note));
    res.json({ notes: session.notes });
  });
  app.post('/flash', (req, res) => {
    req.flash('info', String(req.body.message));
    res.json({ ok: true });
  });
  app.get('/flash', (req, res) => {
    res.json({ info: req.flash('info') });
  });
  app.post('/logout', csrfSynchronisedProtection, (req, res, next) => {
    req.logout((err) => {
      if (err) {
        next(err);
        return;
      }
      res.json({ ok: true });
    });
  });
  extend?.(app);
  const errors: ErrorRequestHandler = (err, _req, res, _next) => {
    const { status, statusCode, code } = err as { status?: number; statusCode?: number; code?: string };
    res.status(status ?? statusCode ?? 500).json({ error: code ?? 'internal' });
  };
  app.use(errors);
  return app;
}
