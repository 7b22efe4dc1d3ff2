import { describe, expect, it } from 'vitest';
import { apiLogin, CookieClient, startDemo } from './support/demo.js';

/** The revoke form's handle of the first session that is not the current one. */
function otherHandle(page: string): string {
  const handle = /action="\/sessions\/([^/"]+)\/revoke"/.exec(page)?.[1];
  if (handle === undefined) throw new Error('no revoke form on the page');
  return handle;
}

describe('one-time notices', () => {
  it('a revoke is confirmed on the next page only: a reload shows nothing, and no URL carries it', async () => {
    const { base } = await startDemo();
    const laptop = new CookieClient(base);
    await laptop.signIn('alice');
    await apiLogin(base, 'alice');
    const page = await laptop.get('/');
    const revoke = await laptop.post(`/sessions/${otherHandle(page.body)}/revoke`, {
      _csrf: await laptop.csrf(),
    });
    expect(revoke.status).toBe(303);
    expect(revoke.location).toBe('/');

    const next = await laptop.get('/');
    expect(next.body).toMatch(/class="flash success"[^>]*>Session revoked\./);
    const reload = await laptop.get('/');
    expect(reload.body).not.toContain('Session revoked');
    expect(reload.body).not.toContain('data-testid="notice"');
  });

  it('an ended session is announced as a warning, once, not as a success', async () => {
    const { base } = await startDemo();
    const laptop = new CookieClient(base);
    const phone = new CookieClient(
      base,
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1',
    );
    await laptop.signIn('alice');
    await phone.signIn('alice');
    const page = await laptop.get('/');
    await laptop.post(`/sessions/${otherHandle(page.body)}/revoke`, { _csrf: await laptop.csrf() });

    const home = await phone.get('/');
    expect(home.status).toBe(302);
    expect(home.location).toBe('/login');
    const login = await phone.get('/login');
    expect(login.body).toMatch(/class="flash warning" role="alert"[^>]*>Your session ended/);
    expect(login.body).not.toContain('flash success');
    expect((await phone.get('/login')).body).not.toContain('Your session ended');
  });

  it('signing out is confirmed once on the sign-in page, as information', async () => {
    const { base } = await startDemo();
    const browser = new CookieClient(base);
    await browser.signIn('alice');
    const out = await browser.post('/logout', { _csrf: await browser.csrf() });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/login');
    expect((await browser.get('/login')).body).toMatch(/class="flash info"[^>]*>You are signed out\./);
    expect((await browser.get('/login')).body).not.toContain('You are signed out');
  });
});
