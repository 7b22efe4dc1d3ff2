import { MemorySessionRepository } from '@session/memory';
import { findSetCookie, quietLogger, send } from '@session/testkit/http';
import { describe, expect, it } from 'vitest';
import { serve } from './support/serve.js';

// `writeHead(status, headers)` applies its headers with setHeader, which would replace the
// session cookie written just before: the layer merges the two.
describe('writeHead with its own Set-Cookie headers', () => {
  it('an object of headers keeps the session cookie next to the app cookie', async () => {
    const { url } = await serve(
      { repository: new MemorySessionRepository(), logger: quietLogger },
      (_q, res, s) => {
        s.set('n', 1);
        res.writeHead(200, { 'Set-Cookie': 'theme=dark; Path=/', 'content-type': 'text/plain' });
        res.end('ok');
      },
    );
    const res = await send(url);
    expect(res.setCookies.some((c) => c.startsWith('theme=dark'))).toBe(true);
    expect(findSetCookie(res.setCookies)).toBeDefined();
  });

  it('the flat array form with a status message, and when nothing has to be saved first', async () => {
    const { url } = await serve(
      { repository: new MemorySessionRepository(), logger: quietLogger },
      async (_q, res, s) => {
        s.set('n', 1);
        await s.save();
        res.writeHead(200, 'Fine', [
          'Set-Cookie',
          'a=1',
          'content-type',
          'text/plain',
          'set-cookie',
          ['b=2'],
        ]);
        res.end('ok');
      },
    );
    const res = await send(url);
    expect(res.body).toBe('ok');
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.setCookies.filter((c) => /^[ab]=/.test(c))).toEqual(['a=1', 'b=2']);
    expect(findSetCookie(res.setCookies)).toBeDefined();
  });
});
