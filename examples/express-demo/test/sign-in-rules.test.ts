import { describe, expect, it } from 'vitest';
import { USERNAME_RULE } from '../src/auth.js';
import { CookieClient, startDemo } from './support/demo.js';

describe('the sign-in page states the rules the server applies', () => {
  it('the hint gives the username rule instead of promising that any username works', async () => {
    const { base } = await startDemo();
    const page = await (await fetch(`${base}/login`)).text();
    expect(page).not.toMatch(/any username works/i);
    expect(page).toContain(`pick a username of ${USERNAME_RULE}`);
    expect(page).toContain('The password is <strong>demo</strong>');
    expect(page).toMatch(/pattern="[^"]+" title="1 to 64 letters/);
  });

  it('a name that breaks the rule is refused with the same words, in the form and the API', async () => {
    const { base } = await startDemo();
    const form = await new CookieClient(base).post('/login', { username: 'bad name!', password: 'demo' });
    expect(form.status).toBe(401);
    expect(form.body).toContain(`A username is ${USERNAME_RULE}.`);
    const api = await fetch(`${base}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bad name!', password: 'demo' }),
    });
    expect(api.status).toBe(401);
    expect(((await api.json()) as { message: string }).message).toContain(USERNAME_RULE);
  });

  it('names within the rule sign in, letters of any script included', async () => {
    const { base } = await startDemo();
    for (const name of ['alice', 'Zoë_Ünal@example.org', 'a'.repeat(64)]) {
      expect((await new CookieClient(base).post('/login', { username: name, password: 'demo' })).status).toBe(
        303,
      );
    }
  });
});
