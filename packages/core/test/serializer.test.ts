import { describe, expect, it } from 'vitest';
import { defaultSerializer, jsonSerializer, SessionSerializationError } from '../src/index.js';
import { serializationError } from './support/errors.js';

const roundTrip = (value: unknown, name = 'attr') =>
  defaultSerializer.deserialize(defaultSerializer.serialize(value, name), name);

describe('defaultSerializer: plain JSON', () => {
  it.each([
    ['a string', 'hello'],
    ['unicode and escapes', 'ünïcødé 😀 "quoted" \\ \n\t\u2028'],
    ['an empty string', ''],
    ['an integer', 42],
    ['a negative float', -1.5e-7],
    ['the largest safe integer', Number.MAX_SAFE_INTEGER],
    ['zero', 0],
    ['true', true],
    ['false', false],
    ['null', null],
    ['an empty object', {}],
    ['an empty array', []],
    [
      'a nested structure',
      { user: { id: 'u1', roles: ['a', 'b'], prefs: { dark: true, size: 12 } }, n: null },
    ],
    ['an array of objects', [{ a: 1 }, { b: [2, 3] }]],
    ['a nested $session key', { inner: { $session: 1, v: 2 } }],
  ])('%s is stored as exactly JSON.stringify would write it', (_label, value) => {
    const text = defaultSerializer.serialize(value, 'attr');
    expect(text).toBe(JSON.stringify(value));
    expect(defaultSerializer.deserialize(text, 'attr')).toStrictEqual(value);
  });

  it('reads plain JSON written by another service as is', () => {
    expect(defaultSerializer.deserialize('{"userId":"u1","count":3}', 'attr')).toStrictEqual({
      userId: 'u1',
      count: 3,
    });
    expect(defaultSerializer.deserialize('"plain"', 'attr')).toBe('plain');
  });
});

describe('defaultSerializer: values JSON cannot carry', () => {
  it('Date, including an invalid Date', () => {
    const date = new Date('2024-02-29T12:34:56.789Z');
    const back = roundTrip(date);
    expect(back).toBeInstanceOf(Date);
    expect((back as Date).getTime()).toBe(date.getTime());
    const invalid = roundTrip(new Date(Number.NaN));
    expect(invalid).toBeInstanceOf(Date);
    expect(Number.isNaN((invalid as Date).getTime())).toBe(true);
  });

  it('BigInt, small, negative and beyond 64 bits', () => {
    for (const big of [0n, -5n, 2n ** 64n + 1n, -(10n ** 40n)]) expect(roundTrip(big)).toBe(big);
  });

  it('Map with object keys, keeping order', () => {
    const key = { id: 1 };
    const map = new Map<unknown, unknown>([
      [key, 'object key'],
      ['s', new Date(0)],
      [3n, [1, 2]],
    ]);
    const back = roundTrip(map) as Map<unknown, unknown>;
    expect(back).toBeInstanceOf(Map);
    expect([...back.keys()]).toStrictEqual([{ id: 1 }, 's', 3n]);
    expect([...back.values()]).toStrictEqual(['object key', new Date(0), [1, 2]]);
  });

  it('Set', () => {
    const back = roundTrip(new Set([1, 'a', { b: 2 }, 4n]));
    expect(back).toBeInstanceOf(Set);
    expect([...(back as Set<unknown>)]).toStrictEqual([1, 'a', { b: 2 }, 4n]);
  });

  const typedArrays: [string, ArrayBufferView][] = [
    ['Int8Array', new Int8Array([-128, 0, 127])],
    ['Uint8Array', new Uint8Array([0, 1, 255])],
    ['Uint8ClampedArray', new Uint8ClampedArray([0, 128, 255])],
    ['Int16Array', new Int16Array([-32768, 1, 32767])],
    ['Uint16Array', new Uint16Array([0, 65535])],
    ['Int32Array', new Int32Array([-(2 ** 31), 2 ** 31 - 1])],
    ['Uint32Array', new Uint32Array([0, 2 ** 32 - 1])],
    ['Float32Array', new Float32Array([1.5, Number.NaN, Number.NEGATIVE_INFINITY, -0])],
    ['Float64Array', new Float64Array([Math.PI, Number.MIN_VALUE, -0])],
    ['BigInt64Array', new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])],
    ['BigUint64Array', new BigUint64Array([0n, 2n ** 64n - 1n])],
  ];

  it.each(typedArrays)('%s', (name, array) => {
    const back = roundTrip(array) as ArrayBufferView;
    expect(back.constructor.name).toBe(name);
    expect(back).toStrictEqual(array);
    expect(Buffer.from(back.buffer, back.byteOffset, back.byteLength)).toStrictEqual(
      Buffer.from(array.buffer, array.byteOffset, array.byteLength),
    );
  });

  it('a typed array view with an offset keeps only its own elements', () => {
    const whole = new Int32Array([1, 2, 3, 4, 5, 6]);
    const view = whole.subarray(2, 5);
    const back = roundTrip(view) as Int32Array;
    expect(back).toBeInstanceOf(Int32Array);
    expect([...back]).toEqual([3, 4, 5]);
    expect(back.byteLength).toBe(12);
  });

  it('Buffer comes back as a Buffer, including a slice of a larger one', () => {
    const buf = Buffer.from('héllo wörld');
    const back = roundTrip(buf);
    expect(Buffer.isBuffer(back)).toBe(true);
    expect((back as Buffer).equals(buf)).toBe(true);
    const slice = Buffer.from('0123456789').subarray(3, 6);
    expect((roundTrip(slice) as Buffer).toString()).toBe('345');
  });

  it('ArrayBuffer', () => {
    const source = new Uint8Array([9, 8, 7, 0, 255]).buffer;
    const back = roundTrip(source);
    expect(back).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(back as ArrayBuffer)]).toEqual([9, 8, 7, 0, 255]);
  });

  it('RegExp with flags', () => {
    const back = roundTrip(/^a\/b[c-d]+$/giu) as RegExp;
    expect(back).toBeInstanceOf(RegExp);
    expect(back.source).toBe('^a\\/b[c-d]+$');
    expect(back.flags).toBe('giu');
  });

  it('NaN, ±Infinity and -0, at the top and nested', () => {
    expect(roundTrip(Number.NaN)).toBeNaN();
    expect(roundTrip(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(roundTrip(Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    const back = roundTrip({ list: [Number.NaN, -0, 0, Number.NEGATIVE_INFINITY] }) as { list: number[] };
    expect(back.list[0]).toBeNaN();
    expect(Object.is(back.list[1], -0)).toBe(true);
    expect(Object.is(back.list[2], 0)).toBe(true);
    expect(back.list[3]).toBe(Number.NEGATIVE_INFINITY);
  });

  it('undefined inside objects and arrays keeps its key and slot', () => {
    const back = roundTrip({ a: undefined, b: [1, undefined, 3] }) as { a?: unknown; b: unknown[] };
    expect(Object.hasOwn(back, 'a')).toBe(true);
    expect(back.a).toBeUndefined();
    expect(back.b).toHaveLength(3);
    expect(1 in back.b).toBe(true);
    expect(back.b[1]).toBeUndefined();
  });

  it('holes of sparse arrays stay holes, next to undefined slots and nested values', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point of the test
    const sparse = [1, , undefined, new Date(0), , [2, , 3]];
    const back = roundTrip({ sparse }) as { sparse: unknown[] };
    expect(back.sparse).toHaveLength(6);
    expect(1 in back.sparse).toBe(false);
    expect(4 in back.sparse).toBe(false);
    expect(2 in back.sparse).toBe(true);
    expect(back.sparse[3]).toEqual(new Date(0));
    expect(1 in (back.sparse[5] as unknown[])).toBe(false);
    const visited: number[] = [];
    back.sparse.forEach((_, i) => {
      visited.push(i);
    });
    expect(visited).toEqual([0, 2, 3, 5]);
  });

  it('a sparse array with a huge length is stored by its present elements, not slot by slot', () => {
    const huge: unknown[] = [];
    huge[2 ** 20] = 'last';
    const text = defaultSerializer.serialize(huge, 'huge');
    // Slot by slot this was megabytes of text; for 2 ** 32 - 2 it never finished.
    expect(text.length).toBeLessThan(200);
    const back = defaultSerializer.deserialize(text, 'huge') as unknown[];
    expect(back).toHaveLength(2 ** 20 + 1);
    expect(back[2 ** 20]).toBe('last');
    expect(Object.keys(back)).toEqual([String(2 ** 20)]);
    const longest: unknown[] = [];
    longest[2 ** 32 - 2] = 1;
    expect((roundTrip(longest) as unknown[]).length).toBe(2 ** 32 - 1);
  });

  it('nested combinations', () => {
    const value = {
      user: { since: new Date(1_000), balance: 10n ** 20n },
      tags: new Set(['x', 'y']),
      history: new Map<string, unknown>([['visits', [new Date(2_000), new Date(3_000)]]]),
      blobs: [new Uint8Array([1]), Buffer.from('b'), { deeper: new Map([[new Set([1]), /x/g]]) }],
      missing: undefined,
    };
    expect(roundTrip(value)).toStrictEqual(value);
  });

  it('a value shared in two places (not a cycle) is stored twice', () => {
    const shared = { at: new Date(5) };
    const back = roundTrip({ a: shared, b: shared, list: [shared, shared] }) as Record<string, unknown>;
    expect(back).toStrictEqual({ a: shared, b: shared, list: [shared, shared] });
  });

  it('an object with toJSON is stored as what toJSON returns', () => {
    const url = new URL('https://example.com/a?b=1');
    expect(roundTrip(url)).toBe('https://example.com/a?b=1');
    expect(roundTrip({ link: url, at: new Date(0) })).toStrictEqual({ link: url.href, at: new Date(0) });
  });
});

describe('defaultSerializer: keys that look like tags', () => {
  it.each([
    ['a $t key', { $t: 'Date', v: '2020-01-01T00:00:00.000Z' }],
    ['a $t key with a bigint tag', { $t: 'bigint', v: '12' }],
    ['a nested $t key', { inner: [{ $t: 'undefined' }] }],
    ['a top-level $session key', { $session: 1, v: { $t: 'Date', v: null } }],
    ['a top-level $session key alone', { $session: 1 }],
  ])('%s comes back as the same plain object', (_label, value) => {
    expect(roundTrip(value)).toStrictEqual(value);
  });

  it('a $t key next to a real tagged value', () => {
    const value = { $t: 'Map', v: [], when: new Date(7) };
    expect(roundTrip(value)).toStrictEqual(value);
  });
});

describe('defaultSerializer: __proto__ keys', () => {
  const pollutionChecks = () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  };

  it('a plain-JSON __proto__ key stays an own property and pollutes nothing', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const back = roundTrip(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toStrictEqual({ polluted: true });
    pollutionChecks();
  });

  it('a __proto__ key survives the tagged path too', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true, "$t": "x"}, "a": 1}');
    value.at = new Date(9);
    const back = roundTrip(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'a', 'at']);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toStrictEqual({
      polluted: true,
      $t: 'x',
    });
    expect(back.at).toStrictEqual(new Date(9));
    pollutionChecks();
  });

  it('hostile stored text cannot set a prototype', () => {
    const text =
      '{"$session":1,"v":{"__proto__":{"polluted":1},"m":{"$t":"object","v":{"__proto__":{"polluted":2}}}}}';
    const back = defaultSerializer.deserialize(text, 'attr') as Record<string, Record<string, unknown>>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(back.m)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back.m, '__proto__')?.value).toStrictEqual({ polluted: 2 });
    pollutionChecks();
  });
});

describe('defaultSerializer: values that cannot be stored', () => {
  it('a function names the attribute and the path', () => {
    const err = serializationError(() =>
      defaultSerializer.serialize({ items: [1, { onClick() {} }] }, 'cart'),
    );
    expect(err.attributeName).toBe('cart');
    expect(err.code).toBe('SESSION_SERIALIZATION');
    expect(err.message).toContain('"cart"');
    expect(err.message).toContain('$.items[1].onClick');
    expect(err.message).toMatch(/function/i);
  });

  it('a top-level function', () => {
    const err = serializationError(() => defaultSerializer.serialize(() => 1, 'fn'));
    expect(err.attributeName).toBe('fn');
  });

  it('a symbol, also inside a Map value', () => {
    const err = serializationError(() =>
      defaultSerializer.serialize({ m: new Map([['k', Symbol('s')]]) }, 'sym'),
    );
    expect(err.message).toMatch(/symbol/i);
    expect(err.message).toContain('$.m<value 0>');
  });

  it('a cycle names where it closes', () => {
    const node: Record<string, unknown> = { name: 'root', children: [] };
    (node.children as unknown[]).push({ parent: node });
    const err = serializationError(() => defaultSerializer.serialize(node, 'tree'));
    expect(err.attributeName).toBe('tree');
    expect(err.message).toMatch(/circular/i);
    expect(err.message).toContain('$.children[0].parent');
  });

  it('a cycle through a Map or Set', () => {
    const map = new Map<string, unknown>();
    map.set('self', map);
    expect(() => defaultSerializer.serialize(map, 'm')).toThrow(SessionSerializationError);
    const set = new Set<unknown>();
    set.add({ set });
    expect(() => defaultSerializer.serialize(set, 's')).toThrow(SessionSerializationError);
  });

  it.each([
    ['a WeakMap', new WeakMap()],
    ['a Promise', Promise.resolve(1)],
    ['an Error', new Error('x')],
    ['a DataView', new DataView(new ArrayBuffer(2))],
  ])('%s', (_label, value) => {
    expect(serializationError(() => defaultSerializer.serialize({ v: value }, 'x')).message).toContain('$.v');
  });

  it('a throwing getter or toJSON still fails with the attribute named', () => {
    const getter = {
      get boom(): never {
        throw new Error('getter failed');
      },
    };
    const err = serializationError(() => defaultSerializer.serialize(getter, 'g'));
    expect(err.attributeName).toBe('g');
    expect((err.cause as Error).message).toBe('getter failed');
    const toJson = {
      toJSON() {
        throw new Error('toJSON failed');
      },
    };
    expect(serializationError(() => defaultSerializer.serialize(toJson, 't')).attributeName).toBe('t');
  });
});

describe('defaultSerializer: malformed stored text', () => {
  it.each([
    ['not JSON', 'not json at all'],
    ['truncated JSON', '{"a":'],
    ['an empty string', ''],
    ['an unknown envelope version', '{"$session":2,"v":1}'],
    ['an unknown tag', '{"$session":1,"v":{"$t":"Mystery","v":1}}'],
    ['an inherited name as tag', '{"$session":1,"v":{"$t":"constructor","v":"AAAA"}}'],
    ['a __proto__ tag', '{"$session":1,"v":{"$t":"__proto__","v":"AAAA"}}'],
    ['a Map payload that is not a list', '{"$session":1,"v":{"$t":"Map","v":5}}'],
    ['a Set payload that is not a list', '{"$session":1,"v":{"$t":"Set","v":null}}'],
    ['a bad bigint', '{"$session":1,"v":{"$t":"bigint","v":"12x"}}'],
    ['a bad RegExp', '{"$session":1,"v":{"$t":"RegExp","v":["(", ""]}}'],
    ['a typed array of the wrong byte length', '{"$session":1,"v":{"$t":"Float64Array","v":"AAAA"}}'],
    ['a Buffer payload that is not text', '{"$session":1,"v":{"$t":"Buffer","v":{}}}'],
    ['an object payload that is null', '{"$session":1,"v":{"$t":"object","v":null}}'],
    ['a sparse array with a negative length', '{"$session":1,"v":{"$t":"SparseArray","v":[-1,[]]}}'],
    ['a sparse array with a text length', '{"$session":1,"v":{"$t":"SparseArray","v":["5",[]]}}'],
    ['a sparse array index past its length', '{"$session":1,"v":{"$t":"SparseArray","v":[2,[[7,1]]]}}'],
    ['a sparse array payload that is not a list', '{"$session":1,"v":{"$t":"SparseArray","v":{}}}'],
  ])('%s', (_label, text) => {
    const err = serializationError(() => defaultSerializer.deserialize(text, 'broken'));
    expect(err.attributeName).toBe('broken');
    expect(err.message).toContain('"broken"');
  });
});

describe('jsonSerializer', () => {
  it.each([
    ['a string', 's'],
    ['an object', { a: [1, { b: null }], c: true }],
    ['an object with a $t key', { $t: 'Date', v: 'x' }],
    ['an object with a $session key', { $session: 1, v: 2 }],
  ])('stores %s as plain JSON text and reads it back', (_label, value) => {
    const text = jsonSerializer.serialize(value, 'attr');
    expect(text).toBe(JSON.stringify(value));
    expect(jsonSerializer.deserialize(text, 'attr')).toStrictEqual(value);
  });

  it.each([
    ['a Date', new Date(0)],
    ['a BigInt', 1n],
    ['a Map', new Map()],
    ['a Set', new Set()],
    ['a typed array', new Uint8Array(1)],
    ['NaN', Number.NaN],
    ['-0', -0],
    ['undefined inside an object', { a: undefined }],
    [
      'a class instance',
      new (class Point {
        x = 1;
      })(),
    ],
  ])('rejects %s', (_label, value) => {
    expect(serializationError(() => jsonSerializer.serialize(value, 'strict')).attributeName).toBe('strict');
  });

  it('gives the precise reason for functions and cycles', () => {
    expect(serializationError(() => jsonSerializer.serialize({ f() {} }, 'x')).message).toContain('$.f');
    const cyclic: Record<string, unknown> = {};
    cyclic.me = cyclic;
    expect(serializationError(() => jsonSerializer.serialize(cyclic, 'x')).message).toMatch(/circular/i);
  });

  it('rejects malformed text and does not interpret envelopes', () => {
    expect(serializationError(() => jsonSerializer.deserialize('{', 'x')).attributeName).toBe('x');
    const envelope = '{"$session":1,"v":{"$t":"bigint","v":"1"}}';
    expect(jsonSerializer.deserialize(envelope, 'x')).toStrictEqual(JSON.parse(envelope));
  });
});
