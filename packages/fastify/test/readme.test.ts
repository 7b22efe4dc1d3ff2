import { fileURLToPath } from 'node:url';
import { findSetCookie, send, useReadmeExamples } from '@session/testkit/http';
import { afterEach, describe, expect, it } from 'vitest';

const readme = useReadmeExamples(
  { afterEach },
  { packageDir: fileURLToPath(new URL('..', import.meta.url)), conditions: ['dev-source'] },
);

describe('the README', () => {
  it('quick start runs as written: visits count per client, login rotates, logout expires the cookie', async () => {
    const url = await readme.runServer(readme.block('## Quick start'));
    const first = await send(`${url}/`);
    expect(JSON.parse(first.body)).toEqual({ visits: 1 });
    const cookie = `SESSION=${findSetCookie(first.setCookies)?.value}`;
    expect(JSON.parse((await send(`${url}/`, { cookie })).body)).toEqual({ visits: 2 });

    const login = await send(`${url}/login`, { method: 'POST', cookie });
    expect(JSON.parse(login.body)).toEqual({ user: 'alice' });
    const rotated = findSetCookie(login.setCookies)?.value;
    expect(rotated).toBeDefined();
    expect(`SESSION=${rotated}`).not.toBe(cookie);

    const logout = await send(`${url}/logout`, { method: 'POST', cookie: `SESSION=${rotated}` });
    expect(findSetCookie(logout.setCookies)?.attributes.get('max-age')).toBe('0');
  });
});
