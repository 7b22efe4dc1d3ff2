import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSetCookie, send, useReadmeExamples } from '@session/testkit/http';
import { afterEach, describe, expect, it } from 'vitest';

const readme = useReadmeExamples(
  { afterEach },
  { packageDir: fileURLToPath(new URL('..', import.meta.url)), conditions: ['dev-source'] },
);

describe('the README', () => {
  it('quick start: a fetch(request) handler on Node counts visits, logs in and out', async () => {
    const url = await readme.runServer(readme.block('## Quick start'));
    const first = await send(`${url}/`);
    expect(JSON.parse(first.body)).toEqual({ visits: 1 });
    const cookie = `SESSION=${findSetCookie(first.setCookies)?.value}`;
    expect(JSON.parse((await send(`${url}/`, { cookie })).body)).toEqual({ visits: 2 });
    const login = await send(`${url}/login`, { method: 'POST', cookie });
    expect(JSON.parse(login.body)).toEqual({ user: 'alice' });
    const rotated = `SESSION=${findSetCookie(login.setCookies)?.value}`;
    expect(rotated).not.toBe(cookie);
    expect(JSON.parse((await send(`${url}/`, { cookie: rotated })).body)).toEqual({ visits: 3 });
    const logout = await send(`${url}/logout`, { method: 'POST', cookie: rotated });
    expect(findSetCookie(logout.setCookies)?.attributes.get('max-age')).toBe('0');
  });

  it('the Next.js route handler works as the framework calls it: with a Request, for a Response', async () => {
    const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.readme-'));
    try {
      const file = join(dir, 'route.ts');
      writeFileSync(file, readme.block('## Load and commit yourself: a Next.js route handler'));
      const route = (await import(file)) as {
        GET(request: Request): Promise<Response>;
        DELETE(request: Request): Promise<Response>;
      };
      const first = await route.GET(new Request('http://localhost/api/visits'));
      expect(await first.json()).toEqual({ visits: 1 });
      const cookie = `SESSION=${findSetCookie(first.headers.getSetCookie())?.value}`;
      const second = await route.GET(new Request('http://localhost/api/visits', { headers: { cookie } }));
      expect(await second.json()).toEqual({ visits: 2 });
      const deleted = await route.DELETE(new Request('http://localhost/api/visits', { headers: { cookie } }));
      expect(deleted.status).toBe(204);
      expect(findSetCookie(deleted.headers.getSetCookie())?.attributes.get('max-age')).toBe('0');
      const after = await route.GET(new Request('http://localhost/api/visits', { headers: { cookie } }));
      expect(await after.json()).toEqual({ visits: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Hono example runs as written', async () => {
    const url = await readme.runServer(readme.block('## Hono'));
    const first = await send(`${url}/`);
    expect(JSON.parse(first.body)).toEqual({ visits: 1 });
    const cookie = `SESSION=${findSetCookie(first.setCookies)?.value}`;
    expect(JSON.parse((await send(`${url}/`, { cookie })).body)).toEqual({ visits: 2 });
    const login = await send(`${url}/login`, { method: 'POST', cookie });
    expect(findSetCookie(login.setCookies)).toBeDefined();
  });
});
