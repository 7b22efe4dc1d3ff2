import { generateSessionId } from '@session/core';
import { decodeBase64Id, send } from '../client.js';
import type { AdapterSuiteContext } from '../suite-context.js';

/** The cookie flow: nothing stored or looked up for anonymous requests, Spring-style base64 cookies, several cookies, one save per changing request. */
export function cookieFlowCases(ctx: AdapterSuiteContext): void {
  const { describe, it, expect, start, createSession, read } = ctx;

  describe('cookie flow', () => {
    it('an anonymous request stores nothing, looks nothing up and sets no cookie', async () => {
      const { url, spy, memory } = await start();
      const anon = await send(`${url}/anon`);
      expect(anon.status).toBe(200);
      expect(anon.body).toBe('anon');
      expect(anon.setCookies).toEqual([]);
      // A repository that makes sessions synchronously is not even asked for one until the app
      // uses its session (this route never does).
      if (typeof memory.createSessionNow === 'function') expect(spy.calls.createSession).toBe(0);
      const { res, body } = await read(url);
      expect(body.isNew).toBe(true);
      expect(res.setCookies).toEqual([]);
      expect(spy.calls.findById).toBe(0);
      expect(spy.calls.save).toBe(0);
    });

    it('the first set stores the session and sends its id as a Spring-style base64 cookie', async () => {
      const { url, spy, memory } = await start();
      const { id, body } = await createSession(url);
      expect(body.id).toBe(id);
      expect(spy.calls.save).toBe(1);
      expect(await memory.findById(id)).not.toBeNull();
      const again = await read(url, `SESSION=${Buffer.from(id).toString('base64')}`);
      expect(again.body.id).toBe(id);
      expect(again.body.isNew).toBe(false);
      expect(again.body.requestedSessionId).toBe(id);
      expect(again.body.attributes.seed).toBe('1');
      // The id did not change, so no cookie is sent again.
      expect(again.res.setCookies).toEqual([]);
    });

    it('a presented id that does not exist is a new session, and its cookie is left alone', async () => {
      const { url, spy } = await start();
      const unknown = Buffer.from(generateSessionId()).toString('base64');
      const { res, body } = await read(url, `SESSION=${unknown}`);
      expect(body.isNew).toBe(true);
      expect(spy.calls.findById).toBe(1);
      expect(res.setCookies).toEqual([]);
    });

    it('tries every SESSION cookie in order and uses the first one the store has', async () => {
      const { url, spy } = await start();
      const { value, id } = await createSession(url);
      spy.resetCounts();
      const stale = Buffer.from(generateSessionId()).toString('base64');
      const { body } = await read(url, `SESSION=${stale}; other=1; SESSION=${value}`);
      expect(body.id).toBe(id);
      expect(spy.findByIdArgs).toEqual([decodeBase64Id(stale), id]);
    });

    it('saves exactly once per changing request, and not at all for a read that changes nothing', async () => {
      const { url, spy } = await start();
      const { cookie } = await createSession(url);
      spy.resetCounts();
      await send(`${url}/set?name=a&value=1`, { method: 'POST', cookie });
      expect(spy.calls.save).toBe(1);
      spy.resetCounts();
      // The memory store touches on read, so a pure read has nothing left to write.
      await read(url, cookie);
      expect(spy.calls.save).toBe(0);
      spy.resetCounts();
      const early = await send(`${url}/save-early`, { method: 'POST', cookie });
      expect(early.status).toBe(200);
      expect(spy.calls.save).toBe(1);
    });
  });
}
