import type { AddressInfo } from 'node:net';
import express from 'express';
import expressSession from 'express-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromExpressSessionStore } from '../src/index.js';
import { rawGet } from './support/store-helpers.js';

declare module 'express-session' {
  interface SessionData {
    user: string;
    roles: string[];
    note: unknown;
    visits: number;
  }
}

const MAX_AGE_MS = 10 * 60_000;

// A plain express-session app, as a team has it before migrating.
const store = new expressSession.MemoryStore();
const app = express();
app.use(
  expressSession({
    store,
    secret: 'interop-test-secret',
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: MAX_AGE_MS },
  }),
);
app.post('/login', (req, res) => {
  req.session.user = 'ada';
  req.session.roles = ['admin', 'dev'];
  res.sendStatus(204);
});
app.post('/visit', (req, res) => {
  req.session.visits = (req.session.visits ?? 0) + 1;
  res.sendStatus(204);
});
app.get('/me', (req, res) => {
  res.json({ user: req.session.user, note: req.session.note, maxAge: req.session.cookie.originalMaxAge });
});

let baseUrl: string;
let server: ReturnType<typeof app.listen>;
beforeAll(async () => {
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Logs in through the express-session app; returns its cookie header and session id. */
async function login(): Promise<{ cookie: string; sid: string }> {
  const res = await fetch(`${baseUrl}/login`, { method: 'POST' });
  expect(res.status).toBe(204);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  // connect.sid=s:<sid>.<signature>, URL-encoded.
  const signed = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  const sid = signed.slice(2, signed.lastIndexOf('.'));
  return { cookie, sid };
}

describe('sessions written by express-session itself', () => {
  it('are read with their attributes, interval and last access; creation time is the read time', async () => {
    const before = Date.now();
    const { sid } = await login();
    const after = Date.now();
    const written = await rawGet(store, sid);
    expect(written?.__session).toBeUndefined(); // truly express-session's own record

    const bridge = fromExpressSessionStore(store);
    const readAt = Date.now();
    const session = await bridge.findById(sid);
    expect(session).not.toBeNull();
    expect(session?.get('user')).toBe('ada');
    expect(session?.get('roles')).toEqual(['admin', 'dev']);
    expect(session?.names().sort()).toEqual(['roles', 'user']);
    // express-session computes originalMaxAge as expires - now right after setting expires, so
    // it can be a few ms under maxAge on a busy machine: the bridge takes what is stored.
    const storedMaxAge = written?.cookie?.originalMaxAge as number;
    expect(storedMaxAge).toBeLessThanOrEqual(MAX_AGE_MS);
    expect(storedMaxAge).toBeGreaterThan(MAX_AGE_MS - 1000);
    expect(session?.maxInactiveIntervalMs).toBe(storedMaxAge);
    // cookie.expires - maxAge: the moment express-session last set the cookie, during the login.
    expect(session?.lastAccessedTime).toBeGreaterThanOrEqual(before);
    expect(session?.lastAccessedTime).toBeLessThanOrEqual(after);
    expect(session?.creationTime).toBeGreaterThanOrEqual(readAt);
  });

  it('changes saved through the bridge are seen by the express-session app, and its own stay', async () => {
    const { cookie, sid } = await login();
    const bridge = fromExpressSessionStore(store);
    const session = await bridge.findById(sid);
    if (session === null) throw new Error('login session not found');
    session.set('note', { from: 'bridge', tags: ['x'] });
    session.lastAccessedTime = Date.now();
    await bridge.save(session);

    const me = await (await fetch(`${baseUrl}/me`, { headers: { cookie } })).json();
    expect(me).toEqual({
      user: 'ada',
      note: { from: 'bridge', tags: ['x'] },
      maxAge: session.maxInactiveIntervalMs,
    });
  });

  it("the bridge's exact timestamps survive the express-session app rewriting the session", async () => {
    const { cookie, sid } = await login();
    const bridge = fromExpressSessionStore(store);
    const first = await bridge.findById(sid);
    if (first === null) throw new Error('login session not found');
    first.set('note', 'pinned');
    await bridge.save(first);
    const creationTime = first.creationTime;

    // express-session loads the whole object and stores it back with its change.
    const beforeVisit = Date.now();
    expect((await fetch(`${baseUrl}/visit`, { method: 'POST', headers: { cookie } })).status).toBe(204);
    const afterVisit = await bridge.findById(sid);
    expect(afterVisit?.get('visits')).toBe(1);
    expect(afterVisit?.get('note')).toBe('pinned');
    expect(afterVisit?.creationTime).toBe(creationTime);
    // The visit moved cookie.expires, so the bridge sees it as an access.
    expect(afterVisit?.lastAccessedTime).toBeGreaterThanOrEqual(beforeVisit);
  });

  it('a session deleted through the bridge is gone for the express-session app', async () => {
    const { cookie, sid } = await login();
    await fromExpressSessionStore(store).deleteById(sid);
    const me = (await (await fetch(`${baseUrl}/me`, { headers: { cookie } })).json()) as { user?: string };
    expect(me.user).toBeUndefined();
  });
});
