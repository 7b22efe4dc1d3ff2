import { InvalidArgumentError } from '@session/core';
import { describe, expect, it } from 'vitest';
import { compileTrustProxy, hostWithoutPort, isSecureRequest, requestHostname } from '../src/index.js';

const request = (remoteAddress: string, headers: Record<string, string> = {}, encrypted = false) => ({
  headers,
  socket: { remoteAddress, encrypted },
});

describe('trustProxy', () => {
  it('compiles booleans, hop counts, addresses, subnets, presets and functions', () => {
    expect(compileTrustProxy(true)('8.8.8.8', 5)).toBe(true);
    expect(compileTrustProxy(false)('127.0.0.1', 0)).toBe(false);
    const two = compileTrustProxy(2);
    expect([two('1.1.1.1', 0), two('1.1.1.1', 1), two('1.1.1.1', 2)]).toEqual([true, true, false]);
    const list = compileTrustProxy('loopback, 10.0.0.0/8, 2001:db8::1');
    expect(list('127.0.0.1', 0)).toBe(true);
    expect(list('::ffff:127.0.0.1', 0)).toBe(true);
    expect(list('::1', 0)).toBe(true);
    expect(list('10.2.3.4', 0)).toBe(true);
    expect(list('2001:db8::1', 0)).toBe(true);
    expect(list('11.0.0.1', 0)).toBe(false);
    expect(list('not-an-ip', 0)).toBe(false);
    expect(compileTrustProxy(['uniquelocal'])('192.168.1.1', 0)).toBe(true);
    expect(compileTrustProxy((address) => address === '1.2.3.4')('1.2.3.4', 0)).toBe(true);
  });

  it('rejects settings it cannot understand', () => {
    expect(() => compileTrustProxy('localhost')).toThrow(InvalidArgumentError);
    expect(() => compileTrustProxy('10.0.0.0/40')).toThrow(InvalidArgumentError);
    expect(() => compileTrustProxy(-1)).toThrow(InvalidArgumentError);
  });
});

describe('isSecureRequest', () => {
  const https = { 'x-forwarded-proto': 'https' };

  it('a TLS connection is secure whatever the headers say', () => {
    expect(
      isSecureRequest(request('8.8.8.8', { 'x-forwarded-proto': 'http' }, true), compileTrustProxy(false)),
    ).toBe(true);
  });

  it('believes X-Forwarded-Proto only from a trusted peer', () => {
    expect(isSecureRequest(request('127.0.0.1', https), compileTrustProxy('loopback'))).toBe(true);
    expect(isSecureRequest(request('8.8.8.8', https), compileTrustProxy('loopback'))).toBe(false);
    expect(isSecureRequest(request('127.0.0.1', https), compileTrustProxy(false))).toBe(false);
  });

  it('takes the value the farthest trusted proxy saw', () => {
    // client -> edge (10.0.0.1, saw https) -> inner (127.0.0.1, saw http from the edge) -> us
    const headers = { 'x-forwarded-for': '203.0.113.9, 10.0.0.1', 'x-forwarded-proto': 'https, http' };
    expect(isSecureRequest(request('127.0.0.1', headers), compileTrustProxy(1))).toBe(false);
    expect(isSecureRequest(request('127.0.0.1', headers), compileTrustProxy(2))).toBe(true);
    expect(isSecureRequest(request('127.0.0.1', headers), compileTrustProxy('loopback, 10.0.0.0/8'))).toBe(
      true,
    );
  });
});

describe('requestHostname', () => {
  it('reads Host without port, IPv6 included, and X-Forwarded-Host from trusted proxies', () => {
    expect(
      requestHostname(request('1.1.1.1', { host: 'www.example.com:8080' }), compileTrustProxy(false)),
    ).toBe('www.example.com');
    expect(requestHostname(request('1.1.1.1', { host: '[::1]:3000' }), compileTrustProxy(false))).toBe(
      '[::1]',
    );
    const forwarded = { host: 'internal:3000', 'x-forwarded-host': 'shop.example.org' };
    expect(requestHostname(request('127.0.0.1', forwarded), compileTrustProxy('loopback'))).toBe(
      'shop.example.org',
    );
    expect(requestHostname(request('8.8.8.8', forwarded), compileTrustProxy('loopback'))).toBe('internal');
  });
});

describe('hostWithoutPort', () => {
  it('drops the port, keeps IPv6 brackets, and reads nothing from an empty or unclosed value', () => {
    expect(hostWithoutPort('www.example.com:8080')).toBe('www.example.com');
    expect(hostWithoutPort('www.example.com')).toBe('www.example.com');
    expect(hostWithoutPort('[::1]:3000')).toBe('[::1]');
    expect(hostWithoutPort('[::1')).toBeUndefined();
    expect(hostWithoutPort('')).toBeUndefined();
    expect(hostWithoutPort(undefined)).toBeUndefined();
  });
});
