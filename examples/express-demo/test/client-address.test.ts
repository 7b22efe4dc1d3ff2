import { describe, expect, it } from 'vitest';
import { displayAddress } from '../src/client-address.js';
import { CookieClient, startDemo } from './support/demo.js';

describe('client addresses', () => {
  it('shows IPv4 clients of a dual-stack server as plain IPv4, not ::ffff:127.0.0.1', async () => {
    // Listening on `::`, as `pnpm start` does without HOST: IPv4 clients arrive IPv4-mapped.
    const { demo } = await startDemo({ host: '::' });
    const { port } = demo.server.address() as { port: number };
    const browser = new CookieClient(`http://127.0.0.1:${port}`);
    const page = await browser.signIn('alice');
    expect(page.body).toContain('<span>127.0.0.1</span>');
    expect(page.body).not.toContain('::ffff:');
  });

  it('leaves real IPv6 addresses and anything else alone', () => {
    expect(displayAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(displayAddress('::FFFF:192.168.0.1')).toBe('192.168.0.1');
    expect(displayAddress('::1')).toBe('::1');
    expect(displayAddress('2001:db8::ffff:1')).toBe('2001:db8::ffff:1');
    expect(displayAddress('::ffff:not-an-ip')).toBe('::ffff:not-an-ip');
    expect(displayAddress('')).toBeUndefined();
    expect(displayAddress(undefined)).toBeUndefined();
  });
});
