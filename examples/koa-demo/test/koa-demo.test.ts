import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemorySessionRepository } from '@session/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createKoaDemo, type KoaDemo } from '../src/app.js';

let repository: MemorySessionRepository;
let demo: KoaDemo;
let base = '';

beforeAll(async () => {
  repository = new MemorySessionRepository();
  demo = createKoaDemo(repository);
  base = await demo.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await demo?.close();
  await repository?.close();
});

/** Signs in through the form like a browser; returns the cookie header to send back. */
async function formLogin(username: string, userAgent: string): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent },
    body: new URLSearchParams({ username, password: 'demo' }),
  });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie');
  expect(cookie).toMatch(/^SESSION=/);
  return (cookie as string).split(';')[0] as string;
}

const get = (path: string, cookie: string) =>
  fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' });

describe('koa demo', () => {
  it('serves the login page and refuses a wrong password', async () => {
    const page = await fetch(`${base}/login`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('the password is <b>demo</b>');
    const wrong = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=alice&password=nope',
    });
    expect(wrong.status).toBe(401);
    expect((await get('/', '')).headers.get('location')).toBe('/login');
  });

  it('states the username rule it applies instead of promising that any username works', async () => {
    const page = await (await fetch(`${base}/login`)).text();
    expect(page).not.toMatch(/any username works/i);
    expect(page).toContain('pick a username of 1 to 64 letters, digits or . _ @ -');
    const refused = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=bad name!&password=demo',
    });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('A username is 1 to 64 letters, digits or . _ @ -');
  });

  it('lists both sessions of a user, revokes the other one and closes its live socket', async () => {
    const laptop = await formLogin('carol', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0');
    const phone = await formLogin(
      'carol',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1',
    );

    const socket = new WebSocket(`${base.replace('http', 'ws')}/live/socket`, { headers: { cookie: phone } });
    const firstTick = new Promise<string>((resolve) =>
      socket.once('message', (data) => resolve(String(data))),
    );
    const closed = new Promise<[number, string]>((resolve) =>
      socket.once('close', (code, reason) => resolve([code, reason.toString()])),
    );
    expect(Number(await firstTick)).toBeGreaterThan(0);

    const html = await (await get('/', laptop)).text();
    expect(html.match(/data-testid="session"/g)).toHaveLength(2);
    expect(html).toContain('Firefox on Linux');
    expect(html).toContain('Safari on iOS');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const action = /action="(\/sessions\/[\w-]+\/revoke)"/.exec(html)?.[1] as string;

    // Without the form's token nothing happens.
    const forged = await fetch(`${base}${action}`, {
      method: 'POST',
      headers: { cookie: laptop, 'content-type': 'application/x-www-form-urlencoded' },
      body: '_csrf=wrong',
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);

    const revoked = await fetch(`${base}${action}`, {
      method: 'POST',
      headers: { cookie: laptop, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }),
      redirect: 'manual',
    });
    expect(revoked.status).toBe(303);
    expect(await closed).toEqual([1008, 'Session ended']);
    expect((await get('/', phone)).headers.get('location')).toBe('/login?notice=ended');
    expect((await get('/', laptop)).status).toBe(200);
  });

  it('refuses sign-ins and form posts forged by another site (login CSRF), planting no session', async () => {
    for (const path of ['/login', '/api/login', '/logout']) {
      const forged: Record<string, string>[] = [
        { origin: 'https://evil.example' },
        { 'sec-fetch-site': 'cross-site' },
      ];
      for (const headers of forged) {
        const res = await fetch(`${base}${path}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: new URLSearchParams({ username: 'mallory', password: 'demo' }),
        });
        expect(res.status).toBe(403);
        expect(res.headers.getSetCookie()).toEqual([]);
      }
    }
    const host = new URL(base).host;
    const sameOrigin = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `http://${host}` },
      body: new URLSearchParams({ username: 'mallory', password: 'demo' }),
    });
    expect(sameOrigin.status).toBe(303);
  });

  it('works over REST with X-Auth-Token', async () => {
    const login = await fetch(`${base}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'dave', password: 'demo' }),
    });
    const { token } = (await login.json()) as { token: string };
    expect(login.headers.get('x-auth-token')).toBe(token);
    const me = await fetch(`${base}/api/me`, { headers: { 'X-Auth-Token': token } });
    expect(await me.json()).toEqual({ user: 'dave', sessions: 1 });
    expect((await fetch(`${base}/api/me`)).status).toBe(401);
  });

  it('starts with its start script and serves the login page', async () => {
    const child = spawn(process.execPath, ['--conditions=dev-source', '--import', 'tsx', 'src/server.ts'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match?.[1] !== undefined) resolve(match[1]);
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
      });
      const res = await fetch(`${url}/login`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Sign in');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
