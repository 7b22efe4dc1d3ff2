import { CorruptSessionDataError, defaultSerializer, InvalidStoreConfigError } from '@session/core';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createClient, parseClusterUrl } from '../src/client.js';
import { defaultRedisSessionMapper, parseRedisStoreUrl, RedisKeyLayout } from '../src/index.js';
import { shardOf } from '../src/keys.js';

// Pure parts: no server needed.

describe('store URLs', () => {
  it('takes repository options out of the query and leaves the rest to ioredis', () => {
    const parsed = parseRedisStoreUrl(
      'redis://:pw@host:6380/2?indexed=false&namespace=app&sweepIntervalMs=250&family=6',
    );
    expect(parsed.connectionUrl).toBe('redis://:pw@host:6380/2?family=6');
    expect(parsed.options).toEqual({ indexed: false, namespace: 'app', sweepIntervalMs: 250 });
  });

  it('rejects option values of the wrong type', () => {
    expect(() => parseRedisStoreUrl('redis://h?sweepIntervalMs=soon')).toThrow(InvalidStoreConfigError);
    expect(() => parseRedisStoreUrl('redis://h?keyspaceNotifications=perhaps')).toThrow(
      InvalidStoreConfigError,
    );
  });

  it('parses cluster URLs with credentials, IPv6 and default ports', () => {
    expect(parseClusterUrl('redis-cluster://user:p%40ss@10.0.0.1:7000,[::1]:7001,node3?tls=true')).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
        { host: 'node3', port: 6379 },
      ],
      username: 'user',
      password: 'p@ss',
      tls: true,
    });
    expect(() => parseClusterUrl('redis-cluster://')).toThrow(InvalidStoreConfigError);
    // Not silently taken as odd host names: a port that is no number, a path, bad escapes.
    expect(() => parseClusterUrl('redis-cluster://h:abc')).toThrow(InvalidStoreConfigError);
    expect(() => parseClusterUrl('redis-cluster://h:7000/0')).toThrow(InvalidStoreConfigError);
    expect(() => parseClusterUrl('redis-cluster://[::1')).toThrow(InvalidStoreConfigError);
    expect(() => parseClusterUrl('redis-cluster://u:%E0%A4%A@h:7000')).toThrow(InvalidStoreConfigError);
    expect(() => parseClusterUrl('redis+cluster://h:99999')).toThrow(InvalidStoreConfigError);
  });
});

describe('createClient', () => {
  it('turns TLS on for rediss:// in any letter case (never plain text by accident)', () => {
    for (const url of ['rediss://127.0.0.1:1/2', 'REDISS://127.0.0.1:1/2', 'Rediss://u:p@127.0.0.1:1/2']) {
      const client = createClient(url, { lazyConnect: true }) as Redis;
      expect(client.options.tls, url).toBeTruthy();
      expect(client.options.db, url).toBe(2);
      client.disconnect();
    }
    const plain = createClient('redis://127.0.0.1:1', { lazyConnect: true }) as Redis;
    expect(plain.options.tls).toBeFalsy();
    plain.disconnect();
  });
});

describe('key layout', () => {
  it("uses Spring Session's names on standalone", () => {
    const keys = new RedisKeyLayout('spring:session', false, 1);
    expect(keys.session('abc')).toBe('spring:session:sessions:abc');
    expect(keys.marker('abc')).toBe('spring:session:sessions:expires:abc');
    expect(keys.index('PRINCIPAL', 'ada')).toBe('spring:session:index:PRINCIPAL:ada');
    expect(keys.due('abc')).toBe('spring:session:expirations');
    expect(keys.allDue()).toEqual(['spring:session:expirations']);
    expect(keys.idFromMarker('spring:session:sessions:expires:abc')).toBe('abc');
    expect(keys.idFromMarker('spring:session:sessions:abc')).toBeUndefined();
  });

  it('wraps ids in hash tags and shards the due set with hash tags', () => {
    const keys = new RedisKeyLayout('app', true, 4);
    expect(keys.session('abc')).toBe('app:sessions:{abc}');
    expect(keys.moving('abc')).toBe('app:sessions:{abc}:moving');
    expect(keys.marker('abc')).toBe('app:sessions:expires:{abc}');
    expect(keys.idFromMarker('app:sessions:expires:{abc}')).toBe('abc');
    expect(keys.allDue()).toEqual([0, 1, 2, 3].map((i) => `app:expirations:{app:due:${i}}`));
    expect(keys.allDue()).toContain(keys.due('abc'));
  });

  it('spreads ids over due shards', () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 1600; i++) counts[shardOf(`session-${i}-${i * 7919}`, 16)]++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
  });
});

describe('default mapper', () => {
  const context = {
    serializer: defaultSerializer,
    saveMode: 'onSetAttribute' as const,
    idGenerator: () => 'x'.repeat(32),
  };

  it('builds a loaded session from the hash', () => {
    const session = defaultRedisSessionMapper(
      'a'.repeat(32),
      new Map([
        ['creationTime', '1000'],
        ['lastAccessedTime', '2000'],
        ['maxInactiveInterval', '-1'],
        ['sessionAttr:n', '5'],
        ['sessionIndexes', '{"x":"y"}'],
      ]),
      context,
    );
    expect(session.isNew).toBe(false);
    expect(session.creationTime).toBe(1000);
    expect(session.maxInactiveIntervalMs).toBe(-1000);
    expect(session.names()).toEqual(['n']);
    expect(session.hasChanges()).toBe(false);
  });

  it('throws CorruptSessionDataError for missing fields and undecodable attributes', () => {
    const base: Array<[string, string]> = [
      ['creationTime', '1000'],
      ['lastAccessedTime', '2000'],
      ['maxInactiveInterval', '60'],
    ];
    expect(() => defaultRedisSessionMapper('a'.repeat(32), new Map(base.slice(1)), context)).toThrow(
      CorruptSessionDataError,
    );
    expect(() =>
      defaultRedisSessionMapper('a'.repeat(32), new Map([...base, ['sessionAttr:b', '{']]), context),
    ).toThrow(CorruptSessionDataError);
  });
});
