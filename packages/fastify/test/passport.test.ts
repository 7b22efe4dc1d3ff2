import { Authenticator } from '@fastify/passport';
import { decodeBase64Id, findSetCookie, send } from '@session/testkit/http';
import { Strategy as LocalStrategy } from 'passport-local';
import { describe, expect, it } from 'vitest';
import { listen, sessionApp } from './support/app.js';

interface User {
  username: string;
}

declare module 'fastify' {
  interface PassportUser {
    username: string;
  }
}

/** An app signing users in with @fastify/passport's local strategy, sessions from @session/fastify. */
async function passportApp() {
  const { app, repository } = await sessionApp();
  const passport = new Authenticator();
  passport.use(
    'local',
    new LocalStrategy((username, password, done) =>
      password === 'demo' ? done(null, { username }) : done(null, false),
    ),
  );
  passport.registerUserSerializer(async (user: User) => user.username);
  passport.registerUserDeserializer(async (username: string) => ({ username }));
  await app.register(passport.initialize());
  await app.register(passport.secureSession());

  app.post('/visit', async (request) => {
    request.session.set('visited', true);
    return { id: request.session.id };
  });
  app.post('/login', { preValidation: passport.authenticate('local') }, async (request) => ({
    user: request.user?.username,
    id: request.session.id,
  }));
  app.get('/me', async (request, reply) => {
    if (!request.isAuthenticated()) return reply.code(401).send({ user: null });
    return { user: request.user?.username };
  });
  app.post('/logout', async (request) => {
    await request.logOut();
    return { ok: true };
  });
  return { url: await listen(app), repository };
}

const json = { 'content-type': 'application/json' };
const sessionCookie = (res: { setCookies: string[] }) => {
  const cookie = findSetCookie(res.setCookies);
  return cookie === undefined ? undefined : { header: `SESSION=${cookie.value}`, value: cookie.value };
};

describe('@fastify/passport on @session/fastify', () => {
  it('logs in with the local strategy; request.user is there on the next requests', async () => {
    const { url, repository } = await passportApp();
    expect((await send(`${url}/me`)).status).toBe(401);

    const login = await send(`${url}/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'alice', password: 'demo' }),
    });
    expect(login.status).toBe(200);
    const cookie = sessionCookie(login);
    expect(cookie).toBeDefined();
    const id = decodeBase64Id(cookie?.value ?? '');
    expect(JSON.parse(login.body)).toEqual({ user: 'alice', id });
    expect((await repository.findById(id))?.get('passport')).toBe('alice');

    for (let i = 0; i < 3; i++) {
      const me = await send(`${url}/me`, { cookie: cookie?.header });
      expect(me.status).toBe(200);
      expect(JSON.parse(me.body)).toEqual({ user: 'alice' });
      expect(me.setCookies).toEqual([]);
    }
  });

  it('a wrong password is refused and stores nothing', async () => {
    const { url, repository } = await passportApp();
    const login = await send(`${url}/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'alice', password: 'nope' }),
    });
    expect(login.status).toBe(401);
    expect(login.setCookies).toEqual([]);
    expect(repository.stats().sessions).toBe(0);
  });

  it('login regenerates the session: the id from before login is deleted (fixation protection)', async () => {
    const { url, repository } = await passportApp();
    const visit = await send(`${url}/visit`, { method: 'POST' });
    const before = sessionCookie(visit);
    const beforeId = JSON.parse(visit.body).id as string;
    const login = await send(`${url}/login`, {
      method: 'POST',
      cookie: before?.header,
      headers: json,
      body: JSON.stringify({ username: 'bob', password: 'demo' }),
    });
    const after = sessionCookie(login);
    const afterId = decodeBase64Id(after?.value ?? '');
    expect(afterId).not.toBe(beforeId);
    expect(await repository.findById(beforeId)).toBeNull();
    // @fastify/passport keeps only its own fields across the regeneration.
    expect((await repository.findById(afterId))?.names()).toEqual(['passport']);
    expect((await send(`${url}/me`, { cookie: before?.header })).status).toBe(401);
    expect(JSON.parse((await send(`${url}/me`, { cookie: after?.header })).body)).toEqual({ user: 'bob' });
  });

  it('logout ends the session: the cookie is expired and the old id is gone from the store', async () => {
    const { url, repository } = await passportApp();
    const login = await send(`${url}/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'carol', password: 'demo' }),
    });
    const cookie = sessionCookie(login);
    const id = decodeBase64Id(cookie?.value ?? '');
    const logout = await send(`${url}/logout`, { method: 'POST', cookie: cookie?.header });
    expect(logout.status).toBe(200);
    const expired = findSetCookie(logout.setCookies);
    expect(expired?.value).toBe('');
    expect(expired?.attributes.get('max-age')).toBe('0');
    expect(await repository.findById(id)).toBeNull();
    expect((await send(`${url}/me`, { cookie: cookie?.header })).status).toBe(401);
  });
});
