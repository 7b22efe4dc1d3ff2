import { isIndexedRepository, PRINCIPAL_NAME_INDEX_NAME } from '@session/core';
import { decodeBase64Id, findSetCookie, send } from '../client.js';
import type { AdapterSuiteContext } from '../suite-context.js';

/** Login rotates the id (fixation), changeSessionId, invalidate and a session made after it. */
export function loginAndLogoutCases(ctx: AdapterSuiteContext): void {
  const { describe, it, expect, start, createSession, read } = ctx;

  describe('login, rotation and logout', () => {
    it('login rotates the id; the old id no longer works', async () => {
      const { url, memory } = await start();
      const before = await createSession(url);
      const login = await send(`${url}/login?user=alice`, { method: 'POST', cookie: before.cookie });
      expect(login.status).toBe(200);
      const cookie = findSetCookie(login.setCookies);
      expect(cookie).toBeDefined();
      const newId = decodeBase64Id(cookie?.value ?? '');
      expect(newId).not.toBe(before.id);
      expect(JSON.parse(login.body).id).toBe(newId);

      const after = await read(url, `SESSION=${cookie?.value}`);
      expect(after.body.id).toBe(newId);
      expect(after.body.principal).toBe('alice');
      expect(after.body.attributes.seed).toBe('1');
      expect(after.body.attributes[PRINCIPAL_NAME_INDEX_NAME]).toBe('alice');

      const old = await read(url, before.cookie);
      expect(old.body.isNew).toBe(true);
      expect(old.body.attributes).toEqual({});
      if (isIndexedRepository(memory)) {
        expect([...(await memory.findByPrincipalName('alice')).keys()]).toEqual([newId]);
      }
    });

    it('login without rotation keeps the id and sends no cookie', async () => {
      const { url } = await start();
      const before = await createSession(url);
      const login = await send(`${url}/login-keep-id?user=bob`, { method: 'POST', cookie: before.cookie });
      expect(JSON.parse(login.body).id).toBe(before.id);
      expect(login.setCookies).toEqual([]);
      expect((await read(url, before.cookie)).body.principal).toBe('bob');
    });

    it('a login that creates the session sends a fresh id', async () => {
      const { url } = await start();
      const login = await send(`${url}/login?user=carol`, { method: 'POST' });
      const cookie = findSetCookie(login.setCookies);
      expect(cookie).toBeDefined();
      const after = await read(url, `SESSION=${cookie?.value}`);
      expect(after.body.principal).toBe('carol');
    });

    it('changeSessionId sends the new id and retires the old one', async () => {
      const { url } = await start();
      const before = await createSession(url);
      const rotated = await send(`${url}/rotate`, { method: 'POST', cookie: before.cookie });
      const cookie = findSetCookie(rotated.setCookies);
      expect(decodeBase64Id(cookie?.value ?? '')).toBe(JSON.parse(rotated.body).id);
      expect((await read(url, `SESSION=${cookie?.value}`)).body.attributes.seed).toBe('1');
      expect((await read(url, before.cookie)).body.isNew).toBe(true);
    });

    it('invalidate deletes the session and expires the cookie', async () => {
      const { url, memory } = await start();
      const before = await createSession(url);
      const logout = await send(`${url}/logout`, { method: 'POST', cookie: before.cookie });
      expect(logout.status).toBe(200);
      const cookie = findSetCookie(logout.setCookies);
      expect(cookie?.value).toBe('');
      expect(cookie?.attributes.get('max-age')).toBe('0');
      expect(cookie?.attributes.get('expires')).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
      expect(cookie?.attributes.get('path')).toBe('/');
      expect(await memory.findById(before.id)).toBeNull();
      expect((await read(url, before.cookie)).body.isNew).toBe(true);
    });

    it('a value set after invalidate lives in a new session with a new id', async () => {
      const { url } = await start();
      const before = await createSession(url);
      const logout = await send(`${url}/logout-flash`, { method: 'POST', cookie: before.cookie });
      const cookie = findSetCookie(logout.setCookies);
      const newId = decodeBase64Id(cookie?.value ?? '');
      expect(newId).not.toBe(before.id);
      const after = await read(url, `SESSION=${cookie?.value}`);
      expect(after.body.attributes).toEqual({ flash: 'logged out' });
    });
  });
}
