import { describe, expect, it } from 'vitest';
import { startDemo } from './support/demo.js';

describe('malformed requests', () => {
  it('malformed JSON is a 400 "Bad request", not a 500', async () => {
    const { base } = await startDemo();
    const bad = await fetch(`${base}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username": ',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'Bad request' });
  });

  it('an oversized body is a 413 that says the request is too large', async () => {
    const { base } = await startDemo();
    const page = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `username=${'a'.repeat(10_000)}`,
    });
    expect(page.status).toBe(413);
    const html = await page.text();
    expect(html).toContain('Request too large');
    expect(html).not.toContain('Bad request');
    const api = await fetch(`${base}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'a'.repeat(10_000), password: 'demo' }),
    });
    expect(api.status).toBe(413);
    expect(await api.json()).toEqual({ error: 'Request too large' });
  });
});
