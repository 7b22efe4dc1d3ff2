import { silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo, type Demo } from '../src/app.js';

let repository: MemorySessionRepository;
let demo: Demo;
let base = '';

beforeAll(async () => {
  repository = new MemorySessionRepository();
  demo = createDemo({ repository, storeLabel: 'memory:', logger: silentLogger });
  base = await demo.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await demo?.close();
  await repository?.close();
});

const form = { username: 'mallory', password: 'demo' };

function postLogin(path: string, headers: Record<string, string>) {
  const json = path.startsWith('/api/');
  return fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
      ...headers,
    },
    body: json ? JSON.stringify(form) : new URLSearchParams(form),
  });
}

describe('requests forged by another site', () => {
  it('a cross-site sign-in (login CSRF) is refused and plants no session', async () => {
    for (const path of ['/login', '/api/login']) {
      const forged: Record<string, string>[] = [
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { 'sec-fetch-site': 'cross-site' },
      ];
      for (const headers of forged) {
        const res = await postLogin(path, headers);
        expect(res.status).toBe(403);
        expect(res.headers.getSetCookie()).toEqual([]);
        expect(res.headers.get('x-auth-token')).toBeNull();
      }
    }
  });

  it('the same origin and clients without browser headers still sign in', async () => {
    const host = new URL(base).host;
    const browser = await postLogin('/login', { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' });
    expect(browser.status).toBe(303);
    expect(browser.headers.getSetCookie().join()).toMatch(/^SESSION=/);
    const api = await postLogin('/api/login', {});
    expect(api.status).toBe(200);
    expect(api.headers.get('x-auth-token')).toMatch(/\S/);
  });
});
