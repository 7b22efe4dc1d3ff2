import { describe, expect, it } from 'vitest';
import { apiLogin, CookieClient, startDemo } from './support/demo.js';

const me = (base: string, token: string) =>
  fetch(`${base}/api/me`, { headers: { 'X-Auth-Token': token } }).then((r) => r.status);

describe('"sign out everywhere else"', () => {
  it('says that it ends API tokens too, and does nothing until confirmed', async () => {
    const { base } = await startDemo();
    const laptop = new CookieClient(base);
    await laptop.signIn('alice');
    const tokens = [await apiLogin(base, 'alice'), await apiLogin(base, 'alice')];
    const page = await laptop.get('/');
    expect(page.body).toContain('This ends your 2 other sessions.');
    expect(page.body).toContain('They are all API tokens: scripts using them will get 401');

    // The bare form (a stale page, a forged click) signs nobody out.
    const unconfirmed = await laptop.post('/sessions/revoke-others', { _csrf: await laptop.csrf() });
    expect(unconfirmed.status).toBe(303);
    expect(await Promise.all(tokens.map((t) => me(base, t)))).toEqual([200, 200]);
    expect((await laptop.get('/')).body).toContain('Nothing was signed out');

    const confirmed = await laptop.post('/sessions/revoke-others', {
      _csrf: await laptop.csrf(),
      confirm: 'yes',
    });
    expect(confirmed.status).toBe(303);
    expect(await Promise.all(tokens.map((t) => me(base, t)))).toEqual([401, 401]);
    const after = await laptop.get('/');
    expect(after.body).toContain('Signed out everywhere else');
    expect(after.body).toContain('data-testid="session-count">1<');
  });
});
