import { randomBytes } from 'node:crypto';
import { generateSessionId } from '@session/core';
import { findSetCookie, send, sendRaw } from '../client.js';
import type { AdapterSuiteContext } from '../suite-context.js';

/** Malformed ids in cookies and headers are a new session, with zero store lookups. */
export function malformedIdCases(ctx: AdapterSuiteContext): void {
  const { describe, it, expect, start } = ctx;

  describe('malformed ids never reach the store', () => {
    const validId = generateSessionId();
    const randomLatin1 = (length: number): string => {
      // Bytes a header may carry (no controls, no separators), at least one above 0x7F.
      const allowed = [...randomBytes(length)].map((byte) => {
        const code = 0x80 + (byte % 0x80);
        return String.fromCharCode(code);
      });
      return `x${allowed.join('')}`;
    };
    const paddedId = 'A'.repeat(32); // 32 bytes: its base64 ends in one '='
    const canonical = Buffer.from(paddedId).toString('base64');
    const forgedVariants = {
      'base64 of a too-long id': Buffer.from('a'.repeat(200)).toString('base64'),
      'base64 of a path traversal': Buffer.from('../../../../etc/passwd').toString('base64'),
      'base64 of an id in the wrong alphabet': Buffer.from('$'.repeat(32)).toString('base64'),
      'base64url instead of base64': Buffer.from(`${'?'.repeat(30)}>>`).toString('base64url'),
      'non-canonical base64 (changed padding bits)': `${canonical.slice(0, 42)}${String.fromCharCode(canonical.charCodeAt(42) + 1)}=`,
      'base64 without padding': canonical.slice(0, -1),
    };
    const cookieCases: Record<string, string> = {
      '10 kB long': 'A'.repeat(10_240),
      'wrong alphabet': '$%^&*()!@#[]{}<>'.repeat(3),
      'raw id where base64 is expected (with =)': `${validId}==`,
      ...forgedVariants,
    };
    const headerCases: Record<string, string> = {
      '10 kB long': 'A'.repeat(10_240),
      'wrong alphabet': '$%^&*()!@#[]{}<>'.repeat(3),
      'too short': 'abc123',
      'forged base64 of a valid id (padded)': Buffer.from(validId).toString('base64'),
      'forged base64 with + and /': '+/+/'.repeat(8),
      'base64 of a path traversal': forgedVariants['base64 of a path traversal'],
      'base64 of a too-long id': forgedVariants['base64 of a too-long id'],
    };

    it('in a cookie: random bytes', async () => {
      const { url, spy } = await start();
      for (let i = 0; i < 5; i++) {
        const res = await sendRaw(`${url}/read`, { headers: { Cookie: `SESSION=${randomLatin1(64)}` } });
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body).isNew).toBe(true);
        expect(res.setCookies).toEqual([]);
      }
      expect(spy.calls.findById).toBe(0);
    });

    for (const [label, value] of Object.entries(cookieCases)) {
      it(`in a cookie: ${label}`, async () => {
        const { url, spy } = await start();
        const res = await send(`${url}/read`, { cookie: `SESSION=${value}` });
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body).isNew).toBe(true);
        expect(res.setCookies).toEqual([]);
        expect(spy.calls.findById).toBe(0);
        // Writing still works and replaces the bad cookie.
        const write = await send(`${url}/set?name=a&value=1`, {
          method: 'POST',
          cookie: `SESSION=${value}`,
        });
        expect(write.status).toBe(200);
        expect(findSetCookie(write.setCookies)).toBeDefined();
        expect(spy.calls.findById).toBe(0);
      });
    }

    const rawCookieCases: Record<string, string> = {
      '10 kB long': 'A'.repeat(10_240),
      'wrong alphabet': '$%^&*()!@#[]{}<>'.repeat(3),
      'too short': 'abc123',
      'base64 with padding': Buffer.from(validId).toString('base64'),
      // UTF-8 bytes of full-width letters, as a browser would send them.
      'unicode look-alikes': Buffer.from('ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰ', 'utf8').toString('latin1'),
    };

    it('in a raw (not base64) cookie: random bytes', async () => {
      const { url, spy } = await start({ session: { cookie: { useBase64Encoding: false } } });
      for (let i = 0; i < 5; i++) {
        const res = await sendRaw(`${url}/read`, { headers: { Cookie: `SESSION=${randomLatin1(64)}` } });
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body).isNew).toBe(true);
      }
      expect(spy.calls.findById).toBe(0);
    });

    for (const [label, value] of Object.entries(rawCookieCases)) {
      it(`in a raw (not base64) cookie: ${label}`, async () => {
        const { url, spy } = await start({ session: { cookie: { useBase64Encoding: false } } });
        const res = await sendRaw(`${url}/read`, { headers: { Cookie: `SESSION=${value}` } });
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body).isNew).toBe(true);
        expect(res.setCookies).toEqual([]);
        expect(spy.calls.findById).toBe(0);
      });
    }

    it('in a header: random bytes', async () => {
      const { url, spy } = await start({
        session: { resolver: new ctx.http.HeaderSessionIdResolver() },
      });
      for (let i = 0; i < 5; i++) {
        const res = await sendRaw(`${url}/read`, { headers: { 'X-Auth-Token': randomLatin1(64) } });
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body).isNew).toBe(true);
      }
      expect(spy.calls.findById).toBe(0);
    });

    for (const [label, value] of Object.entries(headerCases)) {
      it(`in a header: ${label}`, async () => {
        const { url, spy } = await start({
          session: { resolver: new ctx.http.HeaderSessionIdResolver() },
        });
        const res = await send(`${url}/read`, { headers: { 'X-Auth-Token': value } });
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body).isNew).toBe(true);
        expect(res.headers.get('x-auth-token')).toBeNull();
        expect(spy.calls.findById).toBe(0);
      });
    }
  });
}
