import { findSetCookie, send } from '@session/testkit/http';
import { describe, expect, it } from 'vitest';
import { readmeBlock, runReadmeServer } from './support/readme.js';

describe('the README', () => {
  it('quick start runs as written: visits count per client, login rotates, logout expires the cookie', async () => {
    const url = await runReadmeServer(readmeBlock('## Quick start'));
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
