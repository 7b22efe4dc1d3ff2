import { findSetCookie, send } from '../client.js';
import { STREAM_CHUNKS, waitFor } from '../helpers.js';
import type { AdapterSuiteContext } from '../suite-context.js';

/** The session is saved before the headers leave, whatever kind of response the route sends. */
export function responseKindCases(ctx: AdapterSuiteContext): void {
  const { describe, it, expect, start, read } = ctx;

  describe('response kinds carry a new session cookie', () => {
    const kinds: Array<{ path: string; via: string; status: number; body?: string }> = [
      { path: '/redirect', via: 'redirect', status: 302 },
      { path: '/json', via: 'json', status: 200, body: '{"ok":true}' },
      { path: '/raw', via: 'raw', status: 200, body: 'abc' },
      {
        path: '/stream',
        via: 'stream',
        status: 200,
        body: Array.from({ length: STREAM_CHUNKS }, (_, i) => `chunk-${i}\n`).join(''),
      },
      { path: '/error', via: 'error', status: 500, body: '{"error":"internal"}' },
      { path: '/error-unhandled', via: 'error-unhandled', status: 500 },
    ];
    for (const kind of kinds) {
      it(`${kind.path}`, async () => {
        const { url, spy } = await start();
        const res = await send(`${url}${kind.path}`);
        expect(res.status).toBe(kind.status);
        if (kind.body !== undefined) expect(res.body).toBe(kind.body);
        if (kind.status === 302) expect(res.headers.get('location')).toMatch(/\/read$/);
        const cookie = findSetCookie(res.setCookies);
        expect(cookie).toBeDefined();
        expect(spy.calls.save).toBe(1);
        const after = await read(url, `SESSION=${cookie?.value}`);
        expect(after.body.attributes.via).toBe(kind.via);
      });
    }

    it('changes made while a body is still being written are saved once it has finished', async () => {
      const { url, spy } = await start();
      const res = await send(`${url}/late`);
      expect(res.body).toBe('xy');
      const cookie = findSetCookie(res.setCookies);
      await waitFor(() => spy.calls.save === 2);
      const after = await read(url, `SESSION=${cookie?.value}`);
      expect(after.body.attributes).toMatchObject({ before: '1', after: '2' });
    });
  });
}
