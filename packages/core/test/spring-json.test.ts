import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  findJava,
  JAVA_INSTALL_HINT,
  type JavaAnswer,
  type JavaRequest,
  runJacksonCheck,
} from '../../../scripts/jackson-check/run.js';
import {
  createSpringJsonSerializer,
  JAVA_CLASS,
  javaClassOf,
  SessionSerializationError,
  springJsonSerializer,
  withJavaClass,
} from '../src/index.js';
import { serializationError } from './support/errors.js';

const write = (value: unknown, name = 'attr') => springJsonSerializer.serialize(value, name);
const read = (text: string, name = 'attr') => springJsonSerializer.deserialize(text, name);
const allowlisted = createSpringJsonSerializer({ springSecurityAllowlist: true });

const fixtureDir = fileURLToPath(new URL('./fixtures/spring/', import.meta.url));
/** An attribute value exactly as Spring Session + GenericJackson2JsonRedisSerializer writes it. */
const fixture = (name: string) => readFileSync(join(fixtureDir, `${name}.json`), 'utf8');
const fixtureNames = readdirSync(fixtureDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length))
  .sort();

/** Shapes of decoded trees the tests walk into. */
interface ContextTree {
  authentication: {
    authorities: Array<Record<string, unknown>>;
    details: Record<string, unknown>;
    principal: Record<string, unknown> & { username: string; authorities: Set<unknown> };
    [key: string]: unknown;
  };
}
type MapTree = Record<string, unknown> & { longs: unknown[] };
type CartTree = Record<string, unknown> & { tags: string[] };

const SECURITY = 'org.springframework.security';
const CONTEXT = `${SECURITY}.core.context.SecurityContextImpl`;
const TOKEN = `${SECURITY}.authentication.UsernamePasswordAuthenticationToken`;
const USER = `${SECURITY}.core.userdetails.User`;
const AUTHORITY = `${SECURITY}.core.authority.SimpleGrantedAuthority`;
const DETAILS = `${SECURITY}.web.authentication.WebAuthenticationDetails`;

/** A Spring Security context built in Node, as a Java service would store it after a form login. */
function nodeSecurityContext(username: string, roles: string[]) {
  const authority = (role: string) => withJavaClass({ authority: role }, AUTHORITY);
  const sorted = [...roles].sort();
  return withJavaClass(
    {
      authentication: withJavaClass(
        {
          authorities: withJavaClass(
            sorted.map(authority),
            'java.util.Collections$UnmodifiableRandomAccessList',
          ),
          details: withJavaClass({ remoteAddress: '10.0.0.7', sessionId: null }, DETAILS),
          authenticated: true,
          principal: withJavaClass(
            {
              password: null,
              username,
              authorities: withJavaClass(
                new Set(sorted.map(authority)),
                'java.util.Collections$UnmodifiableSet',
              ),
              accountNonExpired: true,
              accountNonLocked: true,
              credentialsNonExpired: true,
              enabled: true,
            },
            USER,
          ),
          credentials: null,
        },
        TOKEN,
      ),
    },
    CONTEXT,
  );
}

// ---------------------------------------------------------------------------------------------
// What we write, what Java reads it as (checked against real Jackson below).

interface EncodeCase {
  label: string;
  value: unknown;
  /** Exact text written. */
  json: string;
  /** Java class tree Jackson reads (SpringJsonCheck.sig: java.lang/util/math names shortened). */
  sig: string;
  /** What Java's re-serialization decodes to, when not the value itself. */
  back?: unknown;
  /** Jackson re-serializes the value to different text (number formatting). */
  javaText?: 'differs';
}

const epoch = 1_700_000_000_000;

const encodeCases: EncodeCase[] = [
  { label: 'a string', value: 'hello', json: '"hello"', sig: 'String' },
  {
    label: 'unicode and escapes',
    value: 'Grüße 😀 "q" \\ \n\t\u0001 \u2028',
    json: JSON.stringify('Grüße 😀 "q" \\ \n\t\u0001 \u2028'),
    sig: 'String',
    javaText: 'differs',
  },
  { label: 'an empty string', value: '', json: '""', sig: 'String' },
  { label: 'a small integer', value: 42, json: '42', sig: 'Integer' },
  { label: 'a negative integer', value: -7, json: '-7', sig: 'Integer' },
  { label: 'an integer beyond 32 bits', value: 2 ** 31, json: '2147483648', sig: 'Long' },
  { label: 'epoch milliseconds', value: epoch, json: '1700000000000', sig: 'Long' },
  {
    label: 'the largest safe integer',
    value: Number.MAX_SAFE_INTEGER,
    json: '9007199254740991',
    sig: 'Long',
  },
  { label: 'a fraction', value: 1.5, json: '1.5', sig: 'Double' },
  { label: 'a tiny fraction', value: 1e-7, json: '1e-7', sig: 'Double', javaText: 'differs' },
  { label: 'negative zero', value: -0, json: '-0.0', sig: 'Double' },
  {
    label: 'an integer-valued double beyond 2^53',
    value: 2 ** 60,
    json: '1152921504606847000.0',
    sig: 'Double',
    javaText: 'differs',
  },
  { label: 'a huge double', value: 1e21, json: '1e+21', sig: 'Double', javaText: 'differs' },
  { label: 'true', value: true, json: 'true', sig: 'Boolean' },
  { label: 'false', value: false, json: 'false', sig: 'Boolean' },
  // Java reads null as null; Spring's setAttribute(name, null) means "absent", and Spring writes it
  // back as empty text, which we read as undefined.
  { label: 'null', value: null, json: 'null', sig: 'null', back: undefined },
  {
    label: 'an empty object',
    value: {},
    json: '{"@class":"java.util.LinkedHashMap"}',
    sig: 'LinkedHashMap{}',
  },
  {
    label: 'a null-prototype object',
    value: Object.assign(Object.create(null) as object, { a: 1 }),
    json: '{"@class":"java.util.LinkedHashMap","a":1}',
    sig: 'LinkedHashMap{a:Integer}',
    back: { a: 1 },
  },
  { label: 'an empty array', value: [], json: '["java.util.ArrayList",[]]', sig: 'ArrayList[]' },
  {
    label: 'an array of mixed values',
    value: [1, 'a', null, [2.5]],
    json: '["java.util.ArrayList",[1,"a",null,["java.util.ArrayList",[2.5]]]]',
    sig: 'ArrayList[Integer,String,null,ArrayList[Double]]',
  },
  {
    label: 'a Set',
    value: new Set([1, 'a']),
    json: '["java.util.LinkedHashSet",[1,"a"]]',
    sig: 'LinkedHashSet[Integer,String]',
  },
  {
    label: 'a Map with string keys',
    value: new Map<string, unknown>([
      ['k', 1],
      ['list', []],
    ]),
    json: '{"@class":"java.util.LinkedHashMap","k":1,"list":["java.util.ArrayList",[]]}',
    sig: 'LinkedHashMap{k:Integer,list:ArrayList[]}',
    back: { k: 1, list: [] },
  },
  { label: 'a Date', value: new Date(epoch), json: '["java.util.Date",1700000000000]', sig: 'Date' },
  {
    label: 'a Date before 1970',
    value: new Date(-86_400_000),
    json: '["java.util.Date",-86400000]',
    sig: 'Date',
  },
  // A small BigInteger comes back as a number (only integers beyond 2^53 are read as bigint).
  { label: 'a small bigint', value: 5n, json: '["java.math.BigInteger",5]', sig: 'BigInteger', back: 5 },
  {
    label: 'a bigint beyond 64 bits',
    value: 2n ** 64n + 1n,
    json: '["java.math.BigInteger",18446744073709551617]',
    sig: 'BigInteger',
  },
  {
    label: 'a negative bigint',
    value: -(10n ** 30n),
    json: '["java.math.BigInteger",-1000000000000000000000000000000]',
    sig: 'BigInteger',
  },
  {
    label: 'a nested structure',
    value: {
      s: 'x',
      i: 1,
      l: 2 ** 40,
      d: 0.5,
      b: false,
      n: null,
      list: [1, 'a'],
      set: new Set(['x']),
      date: new Date(0),
      big: 2n ** 70n,
      obj: { deep: { deeper: [{}] } },
    },
    json:
      '{"@class":"java.util.LinkedHashMap","s":"x","i":1,"l":1099511627776,"d":0.5,"b":false,"n":null,' +
      '"list":["java.util.ArrayList",[1,"a"]],"set":["java.util.LinkedHashSet",["x"]],"date":["java.util.Date",0],' +
      '"big":["java.math.BigInteger",1180591620717411303424],"obj":{"@class":"java.util.LinkedHashMap","deep":' +
      '{"@class":"java.util.LinkedHashMap","deeper":["java.util.ArrayList",[{"@class":"java.util.LinkedHashMap"}]]}}}',
    // Java holds a Long in a map slot, which it writes as ["java.lang.Long",1099511627776].
    javaText: 'differs',
    sig:
      'LinkedHashMap{s:String,i:Integer,l:Long,d:Double,b:Boolean,n:null,list:ArrayList[Integer,String],' +
      'set:LinkedHashSet[String],date:Date,big:BigInteger,obj:LinkedHashMap{deep:LinkedHashMap{deeper:ArrayList[LinkedHashMap{}]}}}',
  },
  {
    label: 'an own "__proto__" key',
    value: JSON.parse('{"__proto__":1,"a":2}'),
    json: '{"@class":"java.util.LinkedHashMap","__proto__":1,"a":2}',
    sig: 'LinkedHashMap{__proto__:Integer,a:Integer}',
  },
  {
    label: 'an own "@class" key equal to the class written',
    value: { '@class': 'java.util.LinkedHashMap', a: 1 },
    json: '{"@class":"java.util.LinkedHashMap","a":1}',
    sig: 'LinkedHashMap{a:Integer}',
    back: { a: 1 },
  },
  {
    label: 'a TreeSet chosen with withJavaClass',
    value: withJavaClass(new Set(['b', 'a']), 'java.util.TreeSet'),
    json: '["java.util.TreeSet",["b","a"]]',
    sig: 'TreeSet[String,String]',
    back: new Set(['a', 'b']),
    javaText: 'differs',
  },
  {
    label: 'a LinkedList chosen with withJavaClass',
    value: withJavaClass([1], 'java.util.LinkedList'),
    json: '["java.util.LinkedList",[1]]',
    sig: 'LinkedList[Integer]',
  },
  {
    label: 'a Timestamp chosen with withJavaClass',
    value: withJavaClass(new Date(epoch + 123), 'java.sql.Timestamp'),
    json: '["java.sql.Timestamp",1700000000123]',
    sig: 'java.sql.Timestamp',
  },
  {
    label: 'an application bean built in Node, with an untyped String[] field',
    value: withJavaClass(
      {
        id: 7,
        tags: withJavaClass(['a'], null),
        items: ['x'],
        extra: { count: 1 },
        total: 1.5,
      },
      'com.example.shop.Cart',
    ),
    json:
      '{"@class":"com.example.shop.Cart","id":7,"tags":["a"],"items":["java.util.ArrayList",["x"]],' +
      '"extra":{"@class":"java.util.LinkedHashMap","count":1},"total":1.5}',
    sig: 'com.example.shop.Cart{id:Long,tags:[Ljava.lang.String;[String],items:ArrayList[String],extra:LinkedHashMap{count:Integer},total:Double}',
  },
];

describe('springJsonSerializer: writing', () => {
  it.each(encodeCases.map((c) => [c.label, c] as const))('%s', (_label, c) => {
    expect(write(c.value)).toBe(c.json);
  });

  it('writes a value shared by two keys (not a cycle) twice', () => {
    const shared = { a: 1 };
    expect(write({ x: shared, y: shared })).toBe(
      '{"@class":"java.util.LinkedHashMap","x":{"@class":"java.util.LinkedHashMap","a":1},"y":{"@class":"java.util.LinkedHashMap","a":1}}',
    );
  });

  it('writes Spring Session metadata values as Spring does', () => {
    expect(write(epoch)).toBe(fixture('creation-time'));
    expect(write(1800)).toBe(fixture('max-inactive-interval'));
  });

  it('writes an object or array marked untyped without type information when nested', () => {
    expect(write({ a: withJavaClass({ b: 1 }, null), c: withJavaClass([1], null) })).toBe(
      '{"@class":"java.util.LinkedHashMap","a":{"b":1},"c":[1]}',
    );
  });

  it('javaClassOf and withJavaClass', () => {
    const value = withJavaClass({ a: 1 }, 'com.acme.Prefs');
    expect(javaClassOf(value)).toBe('com.acme.Prefs');
    expect((value as Record<symbol, unknown>)[JAVA_CLASS]).toBe('com.acme.Prefs');
    expect(Object.keys(value)).toStrictEqual(['a']);
    expect(JSON.stringify(value)).toBe('{"a":1}');
    expect(javaClassOf({ a: 1 })).toBeUndefined();
    expect(javaClassOf('text')).toBeUndefined();
    expect(JAVA_CLASS).toBe(Symbol.for('@session/core:java-class'));
    expect(() => withJavaClass({}, 'not a class')).toThrow(SessionSerializationError);
    expect(() => withJavaClass({}, '')).toThrow(SessionSerializationError);
  });
});

describe('springJsonSerializer: rejected values', () => {
  const self: Record<string, unknown> = {};
  self.loop = { back: self };
  const selfArray: unknown[] = [1];
  selfArray.push(selfArray);
  const sparse: unknown[] = [1];
  sparse[2] = 3;
  const extra = Object.assign([1, 2], { note: 'x' });
  const withSymbol = { a: 1, [Symbol('s')]: 2 };
  let deep: unknown = 1;
  for (let i = 0; i < 1002; i++) deep = [deep];

  // [label, value (placed at $.a[2] unless root), path, what the message says]
  const nested: Array<[string, unknown, string]> = [
    ['a function', () => 1, 'A function'],
    ['a symbol', Symbol('x'), 'A symbol'],
    ['undefined', undefined, 'undefined'],
    ['NaN', Number.NaN, 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'Infinity'],
    ['-Infinity', Number.NEGATIVE_INFINITY, '-Infinity'],
    ['a Buffer', Buffer.from('hi'), 'A Buffer'],
    ['a Uint8Array', new Uint8Array(2), 'A Uint8Array'],
    ['a Float64Array', new Float64Array(2), 'A Float64Array'],
    ['an ArrayBuffer', new ArrayBuffer(2), 'A ArrayBuffer'],
    ['a DataView', new DataView(new ArrayBuffer(2)), 'A DataView'],
    ['a RegExp', /x/g, 'A RegExp'],
    ['an Error', new Error('boom'), 'A Error instance'],
    ['a class instance', new (class Point {})(), 'A Point instance'],
    ['a boxed number', Object(1), 'A Number instance'],
    ['a Promise', Promise.resolve(1), 'A Promise instance'],
    ['a WeakMap', new WeakMap(), 'A WeakMap instance'],
    ['an invalid Date', new Date(Number.NaN), 'An invalid Date'],
    ['an enumerable symbol key', withSymbol, 'The symbol-keyed property Symbol(s)'],
    ['an array with an extra property', extra, 'An array with the extra property "note"'],
  ];

  it.each(nested)('%s inside a container names its path', (_label, bad, what) => {
    const err = serializationError(() => write({ a: [0, 1, bad] }, 'cart'));
    expect(err.attributeName).toBe('cart');
    expect(err.message).toContain(`${what} at $.a[2] cannot be written as Spring Session JSON`);
  });

  it.each([
    ['undefined inside an object', { a: { b: undefined } }, '$.a.b'],
    ['undefined inside an array', [1, undefined], '$[1]'],
    ['a hole in a sparse array', { list: sparse }, '$.list[1]'],
    ['a cycle through objects', self, '$.loop.back'],
    ['a cycle through an array', selfArray, '$[1]'],
    [
      'a cycle through a Set',
      (() => {
        const s = new Set<unknown>();
        s.add(s);
        return s;
      })(),
      '$<item 0>',
    ],
    ['a Map with a number key', { m: new Map([[1, 'x']]) }, '$.m<key 0>'],
    ['a Map with an object key', new Map([[{}, 'x']]), '$<key 0>'],
    [
      'an own "@class" key naming an untracked class',
      { user: { '@class': 'com.acme.User', id: 1 } },
      '$.user["@class"]',
    ],
    ['an own "@class" key that is not a string', { '@class': 1 }, '$["@class"]'],
    [
      'an own "@class" key differing from JAVA_CLASS',
      withJavaClass({ '@class': 'com.acme.A' }, 'com.acme.B'),
      '$["@class"]',
    ],
    ['a "@class" Map key', new Map([['@class', 'com.acme.User']]), '$<key 0>'],
    ['a key with odd characters', { 'odd key': { '@class': 'x.Y' } }, '$["odd key"]["@class"]'],
    ['a list class on an object', { a: withJavaClass({}, 'java.util.ArrayList') }, '$.a'],
    ['a map class on an array', { a: withJavaClass([], 'java.util.HashMap') }, '$.a'],
    ['a set class on an array', withJavaClass([], 'java.util.HashSet'), '$'],
    ['a list class on a Set', withJavaClass(new Set(), 'java.util.ArrayList'), '$'],
    ['a map class on a Date', withJavaClass(new Date(0), 'java.util.HashMap'), '$'],
    ['an untyped Set', { s: withJavaClass(new Set(), null) }, '$.s'],
    ['an untyped value at the root', withJavaClass({ a: 1 }, null), '$'],
    ['a malformed JAVA_CLASS', Object.defineProperty({}, JAVA_CLASS, { value: 'no spaces allowed' }), '$'],
    ['a JAVA_CLASS of the wrong type', Object.defineProperty([], JAVA_CLASS, { value: 42 }), '$'],
    ['nesting deeper than 1000 levels', deep, '$'],
    ['a function at the root', () => 1, '$'],
    ['undefined at the root', undefined, '$'],
  ] as Array<[string, unknown, string]>)('%s', (_label, bad, path) => {
    const err = serializationError(() => write(bad, 'cart'));
    expect(err.attributeName).toBe('cart');
    expect(err.message).toMatch(/^Session attribute "cart": /);
    expect(err.message).toContain(` at ${path}`);
  });

  it('a throwing getter still names the attribute', () => {
    const bad = {
      get boom() {
        throw new Error('getter failed');
      },
    };
    const err = serializationError(() => write(bad, 'cart'));
    expect(err.attributeName).toBe('cart');
    expect((err.cause as Error).message).toBe('getter failed');
  });

  it('springSecurityAllowlist: Sets without a readable class are rejected, bigints written as plain digits', () => {
    expect(serializationError(() => allowlisted.serialize({ s: new Set([1]) }, 'a')).message).toContain(
      'A Set at $.s',
    );
    expect(allowlisted.serialize([1n, 2n ** 64n], 'a')).toBe(
      '["java.util.ArrayList",[1,18446744073709551616]]',
    );
    expect(
      serializationError(() => allowlisted.serialize(withJavaClass(new Set(), 'java.util.TreeSet'), 'a'))
        .message,
    ).toContain("Spring Security's allowlist has no such Set class");
    // The unmodifiable Set has a Spring Security mixin, so it is readable.
    expect(
      allowlisted.serialize(withJavaClass(new Set(['a']), 'java.util.Collections$UnmodifiableSet'), 'a'),
    ).toBe('["java.util.Collections$UnmodifiableSet",["a"]]');
  });

  it('springSecurityAllowlist: other JDK classes fall back to ArrayList, LinkedHashMap, Date, plain numbers', () => {
    const decoded = read(fixture('map')) as Record<string, unknown>;
    delete decoded.set;
    const text = allowlisted.serialize(decoded, 'a');
    expect(text).toContain('"long":5,');
    expect(text).toContain('"float":1.25,');
    expect(text).toContain('"timestamp":["java.util.Date",1700000000123]');
    expect(text).toContain('"day":"MONDAY"');
    expect(text).toContain('"unsafeLong":9007199254740993,');
    expect(text).toContain('"bigInteger":123456789012345678901234567890,');
    expect(text).toContain('"sorted":{"@class":"java.util.TreeMap"');
    expect(text).not.toContain('java.lang.');
    expect(text).not.toContain('java.math.');
    const collections = read(fixture('collections')) as Record<string, unknown>;
    expect(
      allowlisted.serialize({ a: collections.listOf, b: collections.mapOf, c: collections.stringArray }, 'a'),
    ).toBe(
      '{"@class":"java.util.LinkedHashMap","a":["java.util.ArrayList",["a","b","c"]],' +
        '"b":{"@class":"java.util.LinkedHashMap","k":"v"},"c":["java.util.ArrayList",["a","b"]]}',
    );
  });
});

describe('springJsonSerializer: reading', () => {
  it.each([
    ['a string', '"s"', 's'],
    ['an Integer', '42', 42],
    ['a Long', '2147483648', 2147483648],
    ['a Long at 2^53 - 1', '9007199254740991', Number.MAX_SAFE_INTEGER],
    ['a Long beyond 2^53', '9007199254740993', 9007199254740993n],
    ['a negative Long beyond 2^53', '-9007199254740993', -9007199254740993n],
    ['a Double', '1.5', 1.5],
    ['a whole Double', '2.0', 2],
    ['a Double in Java notation', '1.0E-7', 1e-7],
    ['negative zero', '-0.0', -0],
    ['true', 'true', true],
    ['null', 'null', null],
    ['whitespace around a value', ' \n\t42\r\n', 42],
    ['empty text (Spring: a removed attribute)', '', undefined],
    ['a Long wrapper within 2^53', '["java.lang.Long",5]', 5],
    ['a Long wrapper beyond 2^53', '["java.lang.Long",9007199254740993]', 9007199254740993n],
    ['a BigInteger wrapper within 2^53', '["java.math.BigInteger",7]', 7],
    [
      'a BigInteger wrapper beyond 2^53',
      '["java.math.BigInteger",-123456789012345678901]',
      -123456789012345678901n,
    ],
    ['a BigDecimal wrapper', '["java.math.BigDecimal",1.50]', 1.5],
    ['an Integer wrapper', '["java.lang.Integer",3]', 3],
    ['an enum constant', '["com.acme.Color","RED"]', 'RED'],
    ['an AtomicBoolean', '["java.util.concurrent.atomic.AtomicBoolean",true]', true],
  ])('%s', (_label, text, expected) => {
    expect(read(text)).toStrictEqual(expected);
  });

  it('Dates, Timestamps and Calendars become Dates that remember their class', () => {
    for (const javaClass of [
      'java.util.Date',
      'java.sql.Timestamp',
      'java.sql.Date',
      'java.util.GregorianCalendar',
    ]) {
      const date = read(`["${javaClass}",1700000000123]`) as Date;
      expect(date).toBeInstanceOf(Date);
      expect(date.getTime()).toBe(epoch + 123);
      expect(javaClassOf(date)).toBe(javaClass);
      expect(write(date)).toBe(`["${javaClass}",1700000000123]`);
    }
    // A mapper with WRITE_DATES_AS_TIMESTAMPS off writes text; it is read, and written back as ms.
    const text = read('["java.util.Date","2023-11-14T22:13:20.000+00:00"]') as Date;
    expect(text.getTime()).toBe(epoch);
  });

  it('list classes become arrays and Set classes become Sets, each remembering its class', () => {
    const value = read(fixture('collections')) as Record<string, unknown>;
    const expected: Record<string, [unknown, string]> = {
      unmodifiableList: [['a', 'b'], 'java.util.Collections$UnmodifiableRandomAccessList'],
      unmodifiableSet: [new Set(['a', 'b']), 'java.util.Collections$UnmodifiableSet'],
      listOf: [['a', 'b', 'c'], 'java.util.ImmutableCollections$ListN'],
      listOfTwo: [['a', 'b'], 'java.util.ImmutableCollections$List12'],
      setOfOne: [new Set(['x']), 'java.util.ImmutableCollections$Set12'],
      arraysAsList: [['a', 'b'], 'java.util.Arrays$ArrayList'],
      emptyList: [[], 'java.util.Collections$EmptyList'],
      singletonList: [['only'], 'java.util.Collections$SingletonList'],
      treeSet: [new Set(['a', 'b']), 'java.util.TreeSet'],
      hashSet: [new Set(['a']), 'java.util.HashSet'],
      unmodifiableMap: [{ k: 'v' }, 'java.util.Collections$UnmodifiableMap'],
      mapOf: [{ k: 'v' }, 'java.util.ImmutableCollections$Map1'],
      stringArray: [['a', 'b'], '[Ljava.lang.String;'],
    };
    expect(Object.keys(value)).toStrictEqual(Object.keys(expected));
    for (const [key, [js, javaClass]] of Object.entries(expected)) {
      expect(value[key], key).toStrictEqual(js);
      expect(javaClassOf(value[key]), key).toBe(javaClass);
    }
    for (const other of [
      'java.util.Collections$UnmodifiableNavigableSet',
      'java.util.ImmutableCollections$SetN',
      'java.util.concurrent.CopyOnWriteArraySet',
      'com.google.common.collect.ImmutableSet',
      'com.google.common.collect.RegularImmutableSet',
    ]) {
      expect(read(`{"@class":"java.util.HashMap","a":["${other}",[1]]}`), other).toStrictEqual({
        a: new Set([1]),
      });
    }
    for (const other of [
      'java.util.LinkedList',
      'java.util.Collections$UnmodifiableList',
      'com.acme.Things',
    ]) {
      expect(read(`["${other}",[1]]`), other).toStrictEqual([1]);
    }
  });

  it('a map Java wrote decodes to plain JS values', () => {
    const value = read(fixture('map'));
    expect(value).toStrictEqual({
      string: 's',
      int: 42,
      long: 5,
      unsafeLong: 9007199254740993n,
      double: 1.5,
      wholeDouble: 2,
      negativeZero: -0,
      float: 1.25,
      bool: false,
      nothing: null,
      bigInteger: 123456789012345678901234567890n,
      smallBigInteger: 7,
      bigDecimal: 1.5,
      date: new Date(epoch),
      timestamp: new Date(epoch + 123),
      list: [1, 2, 3],
      longs: [1, 9007199254740993n],
      set: new Set(['x', 'y']),
      nested: { inner: [{ deep: true }] },
      day: 'MONDAY',
      uuid: 'c0456164-b0de-4aa0-bb78-371551eb8fed',
      sorted: { a: 1, b: 2 },
    });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('root scalars, lists and sets Java wrote', () => {
    expect(read(fixture('string'))).toBe('Grüße, "world" ✓ \u2028');
    expect(read(fixture('integer'))).toBe(42);
    expect(read(fixture('long'))).toBe(9007199254740993n);
    expect(read(fixture('double'))).toBe(2.5);
    expect(read(fixture('whole-double'))).toBe(2);
    expect(read(fixture('boolean'))).toBe(true);
    expect(read(fixture('creation-time'))).toBe(epoch);
    expect(read(fixture('max-inactive-interval'))).toBe(1800);
    expect(read(fixture('date'))).toStrictEqual(new Date(epoch));
    expect(read(fixture('big-integer'))).toBe(123456789012345678901234567890n);
    expect(read(fixture('big-decimal'))).toBe(1.5);
    expect(read(fixture('list'))).toStrictEqual([1, 'two', 3.5, true, null, { k: 'v' }]);
    expect(read(fixture('set'))).toStrictEqual(new Set(['a', 'b']));
  });

  it('a Spring Security context decodes to plain objects that remember their classes', () => {
    const context = read(fixture('security-context'), 'SPRING_SECURITY_CONTEXT') as ContextTree;
    expect(javaClassOf(context)).toBe(CONTEXT);
    const auth = context.authentication;
    expect(javaClassOf(auth)).toBe(TOKEN);
    expect(auth).toStrictEqual({
      authorities: [{ authority: 'ROLE_ADMIN' }, { authority: 'ROLE_USER' }],
      details: { remoteAddress: '127.0.0.1', sessionId: null },
      authenticated: true,
      principal: {
        password: null,
        username: 'user',
        authorities: new Set([{ authority: 'ROLE_ADMIN' }, { authority: 'ROLE_USER' }]),
        accountNonExpired: true,
        accountNonLocked: true,
        credentialsNonExpired: true,
        enabled: true,
      },
      credentials: null,
    });
    expect(javaClassOf(auth.authorities)).toBe('java.util.Collections$UnmodifiableRandomAccessList');
    expect(javaClassOf(auth.authorities[0])).toBe(AUTHORITY);
    expect(javaClassOf(auth.details)).toBe(DETAILS);
    expect(javaClassOf(auth.principal)).toBe(USER);
    expect(javaClassOf(auth.principal.authorities)).toBe('java.util.Collections$UnmodifiableSet');
    expect(javaClassOf([...auth.principal.authorities][1])).toBe(AUTHORITY);
  });

  it('an application bean keeps the untyped parts Java wrote untyped', () => {
    const cart = read(fixture('bean')) as Record<string, unknown>;
    expect(cart).toStrictEqual({
      id: 9007199254740993n,
      tags: ['gift', 'express'],
      items: ['sku-1'],
      extra: { count: 5, coupon: 'WELCOME' },
      total: 2,
    });
    expect(javaClassOf(cart)).toBe('com.example.shop.Cart');
    expect(javaClassOf(cart.tags)).toBeNull();
    expect(javaClassOf(cart.items)).toBe('java.util.ArrayList');
  });

  it('an unknown bean class becomes a plain object; a bean in wrapper-array form too', () => {
    const value = read('{"@class":"com.acme.Prefs","theme":"dark","size":["java.lang.Long",12]}');
    expect(value).toStrictEqual({ theme: 'dark', size: 12 });
    expect(javaClassOf(value)).toBe('com.acme.Prefs');
    const wrapped = read('["com.acme.Prefs",{"theme":"dark"}]');
    expect(wrapped).toStrictEqual({ theme: 'dark' });
    expect(write(wrapped)).toBe('{"@class":"com.acme.Prefs","theme":"dark"}');
  });

  it('a "__proto__" key becomes an own property, never the prototype', () => {
    const value = read(
      '{"@class":"java.util.HashMap","__proto__":{"@class":"java.util.HashMap","polluted":true}}',
    ) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('an untyped array of class-like strings inside a bean is not taken for a wrapper', () => {
    const value = read('{"@class":"com.acme.Site","hosts":["example.com","cdn.example.com"]}');
    expect(value).toStrictEqual({ hosts: ['example.com', 'cdn.example.com'] });
  });

  it('plain JSON without type ids (which Jackson refuses) is read leniently and written back typed', () => {
    const legacy = read('{"userId":"u1","roles":["a","b"],"prefs":{"dark":true}}');
    expect(legacy).toStrictEqual({ userId: 'u1', roles: ['a', 'b'], prefs: { dark: true } });
    expect(write(legacy)).toBe(
      '{"@class":"java.util.LinkedHashMap","userId":"u1","roles":["java.util.ArrayList",["a","b"]],' +
        '"prefs":{"@class":"java.util.LinkedHashMap","dark":true}}',
    );
    expect(write(read('[1,{"a":2}]'))).toBe(
      '["java.util.ArrayList",[1,{"@class":"java.util.LinkedHashMap","a":2}]]',
    );
  });

  it('integer-like keys move first: JavaScript object key order', () => {
    const value = read('{"@class":"java.util.LinkedHashMap","b":1,"2":2,"a":3,"1":4}');
    expect(write(value)).toBe('{"@class":"java.util.LinkedHashMap","1":4,"2":2,"b":1,"a":3}');
  });

  it.each([
    ['not JSON', 'not json', 'not valid JSON'],
    ['truncated', '{"@class":"java.util.HashMap","a":', 'not valid JSON'],
    ['a trailing comma', '["java.util.ArrayList",[1,]]', 'not valid JSON'],
    ['a leading zero', '01', 'not valid JSON'],
    ['NaN', 'NaN', 'not valid JSON'],
    ['a control character in a string', '"a\u0001b"', 'not valid JSON'],
    ['a bad escape', '"\\x41"', 'not valid JSON'],
    ['text after the value', '1 2', 'not valid JSON'],
    ['single quotes', "{'a':1}", 'not valid JSON'],
    ['nesting deeper than 1000 levels', `${'['.repeat(1002)}${']'.repeat(1002)}`, 'nested more than 1000'],
    ['a non-string "@class"', '{"@class":5}', '"@class" is not a class name'],
    ['a "@class" that is not a class name', '{"@class":"not a class"}', '"@class" is not a class name'],
    [
      'a list class written as an object',
      '{"@class":"java.util.ArrayList"}',
      'java.util.ArrayList is written as an object',
    ],
    ['a map class holding an array', '["java.util.HashMap",[1]]', 'java.util.HashMap holds an array'],
    ['a list class holding a scalar', '["java.util.ArrayList",5]', 'java.util.ArrayList holds a scalar'],
    ['a Date holding text that is no date', '["java.util.Date","soon"]', 'java.util.Date holds "soon"'],
    ['a Date out of range', '["java.util.Date",9000000000000000000]', 'java.util.Date holds no epoch'],
  ])('%s throws SessionSerializationError naming the attribute', (_label, text, message) => {
    const err = serializationError(() => read(text, 'cart'));
    expect(err.attributeName).toBe('cart');
    expect(err.message).toContain(message);
  });
});

describe('springJsonSerializer: writing back what Java wrote', () => {
  /** Fixtures whose decoded value is written back byte for byte. */
  const exact = fixtureNames.filter((name) => !['long', 'whole-double', 'big-decimal'].includes(name));

  it.each(exact)('%s is written back exactly', (name) => {
    expect(write(read(fixture(name)))).toBe(fixture(name));
  });

  it('root numbers lose their Java width (documented): Long beyond 2^53, whole Double, BigDecimal', () => {
    expect(write(read(fixture('long')))).toBe('["java.math.BigInteger",9007199254740993]');
    expect(write(read(fixture('whole-double')))).toBe('2');
    expect(write(read(fixture('big-decimal')))).toBe('1.5');
  });

  it('changed members keep their Java class when the new value fits it', () => {
    const value = read(fixture('map')) as MapTree;
    value.long = 6;
    value.unsafeLong = 2n ** 56n;
    value.float = 2;
    value.bigDecimal = 0.25;
    value.smallBigInteger = 12345678901234567890n;
    value.day = 'FRIDAY';
    value.uuid = '00000000-0000-0000-0000-000000000001';
    value.wholeDouble = 3;
    value.longs.push(8);
    value.longs[0] = 2;
    const text = write(value);
    expect(text).toContain('"long":["java.lang.Long",6]');
    expect(text).toContain('"unsafeLong":["java.lang.Long",72057594037927936]');
    expect(text).toContain('"float":["java.lang.Float",2.0]');
    expect(text).toContain('"bigDecimal":["java.math.BigDecimal",0.25]');
    expect(text).toContain('"smallBigInteger":["java.math.BigInteger",12345678901234567890]');
    expect(text).toContain('"day":["java.time.DayOfWeek","FRIDAY"]');
    expect(text).toContain('"uuid":["java.util.UUID","00000000-0000-0000-0000-000000000001"]');
    expect(text).toContain('"wholeDouble":3.0');
    expect(text).toContain(
      '"longs":["java.util.ArrayList",[["java.lang.Long",2],["java.lang.Long",9007199254740993],8]]',
    );
  });

  it('a new value that does not fit the old class is written as any new value', () => {
    const value = read(fixture('map')) as MapTree;
    value.long = 'five';
    value.unsafeLong = 2n ** 70n; // beyond a Long
    value.day = 3;
    value.float = Number.MAX_SAFE_INTEGER + 2; // fits no Integer, is a double
    const text = write(value);
    expect(text).toContain('"long":"five"');
    expect(text).toContain('"unsafeLong":["java.math.BigInteger",1180591620717411303424]');
    expect(text).toContain('"day":3');
    expect(text).toContain('"float":["java.lang.Float",9007199254740992.0]');
  });

  it('untyped members of a bean stay untyped when changed', () => {
    const cart = read(fixture('bean')) as CartTree;
    cart.id = 9007199254740995n;
    cart.tags.push('fragile');
    cart.total = 4;
    expect(write(cart)).toBe(
      '{"@class":"com.example.shop.Cart","id":9007199254740995,"tags":["gift","express","fragile"],' +
        '"items":["java.util.ArrayList",["sku-1"]],"extra":{"@class":"java.util.LinkedHashMap","count":["java.lang.Long",5],' +
        '"coupon":"WELCOME"},"total":4.0}',
    );
  });

  it('a copy forgets the Java classes: a spread is a new LinkedHashMap', () => {
    const context = read(fixture('security-context')) as Record<string, unknown>;
    expect(write({ ...context })).toMatch(
      /^\{"@class":"java\.util\.LinkedHashMap","authentication":\{"@class":"org\./,
    );
    expect(write(structuredClone(read(fixture('bean'))))).toMatch(/^\{"@class":"java\.util\.LinkedHashMap"/);
  });

  it('springSecurityAllowlist writes an unchanged Spring Security context back exactly', () => {
    expect(allowlisted.serialize(read(fixture('security-context')), 'SPRING_SECURITY_CONTEXT')).toBe(
      fixture('security-context'),
    );
  });

  it('a security context built in Node has the shape Java writes', () => {
    const fromJava = read(fixture('security-context')) as ContextTree;
    const fromNode = nodeSecurityContext('user', ['ROLE_USER', 'ROLE_ADMIN']) as unknown as ContextTree;
    fromNode.authentication.details.remoteAddress = '127.0.0.1';
    expect(write(fromNode)).toBe(fixture('security-context'));
    expect(fromNode).toStrictEqual(fromJava);
  });
});

// ---------------------------------------------------------------------------------------------
// Real Jackson: scripts/jackson-check (SpringJsonCheck.java), compiled and run once for the whole file.

const java = findJava();
if (!java.ok) {
  console.warn(
    `[spring-json] SKIPPING the Java interop tests: ${java.reason}. Install with: ${JAVA_INSTALL_HINT} ` +
      '(or set JACKSON_CLASSPATH to the three Jackson 2 jars).',
  );
}

/** Everything Java is asked to read, built before the JVM starts so one run answers all. */
function javaRequests(): JavaRequest[] {
  const requests: JavaRequest[] = [];
  const add = (id: string, json: string, mapper: JavaRequest['mapper'] = 'generic') =>
    requests.push({ id, mapper, json });
  for (const c of encodeCases) add(`encode:${c.label}`, c.json);
  for (const name of fixtureNames) {
    add(`original:${name}`, fixture(name));
    add(`rewritten:${name}`, write(read(fixture(name))));
    add(`original-security:${name}`, fixture(name), 'security');
  }
  const changed = read(fixture('map')) as MapTree;
  changed.long = 6;
  changed.unsafeLong = 2n ** 56n;
  changed.day = 'FRIDAY';
  changed.longs.push(8);
  add('changed-map', write(changed));
  const cart = read(fixture('bean')) as CartTree;
  cart.id = 9007199254740995n;
  cart.tags.push('fragile');
  add('changed-bean', write(cart));
  add('node-security-context', write(nodeSecurityContext('alice', ['ROLE_USER'])));
  add(
    'node-security-context-allowlisted',
    allowlisted.serialize(nodeSecurityContext('bob', ['ROLE_X']), 'a'),
    'security',
  );
  add('legacy-plain-json', '{"userId":"u1","roles":["a"]}');
  add('legacy-rewritten', write(read('{"userId":"u1","roles":["a"]}')));
  add(
    'allowlisted-map',
    allowlisted.serialize(
      { list: [1, 2 ** 40], date: new Date(0), map: { a: 1.5 }, big: 2n ** 70n, id: 2n ** 55n },
      'a',
    ),
    'security',
  );
  const javaMap = read(fixture('map')) as Record<string, unknown>;
  delete javaMap.set;
  add('allowlisted-java-map', allowlisted.serialize(javaMap, 'a'), 'security');
  add('default-set-on-security-mapper', write(new Set(['a'])), 'security');
  add('default-bigint-on-security-mapper', write({ n: 5n }), 'security');
  return requests;
}

describe.skipIf(!java.ok)(
  'springJsonSerializer against real Jackson (GenericJackson2JsonRedisSerializer rules)',
  () => {
    const scenarios = new Map<string, { generic: string; security: string }>();
    const answers = new Map<string, JavaAnswer>();

    const answer = (id: string): JavaAnswer => {
      const found = answers.get(id);
      if (found === undefined) throw new Error(`no Java answer for ${id}`);
      return found;
    };
    const readOk = (id: string): Required<Pick<JavaAnswer, 'sig' | 'json'>> => {
      const a = answer(id);
      expect(a.error, id).toBeUndefined();
      expect(a.ok, id).toBe(true);
      return { sig: a.sig as string, json: a.json as string };
    };

    beforeAll(async () => {
      if (!java.ok) return;
      const requests = javaRequests();
      const run = await runJacksonCheck(java, requests);
      for (const [id, a] of run.answers) answers.set(id, a);
      for (const [name, written] of run.scenarios) scenarios.set(name, written);
      expect(answers.size).toBe(requests.length);
      console.log(
        `[spring-json] Java check: javac ${Math.round(run.compileMs)} ms, one JVM run ${Math.round(run.runMs)} ms, ` +
          `${requests.length} values read, ${scenarios.size} values written`,
      );
    });

    it('Java writes exactly the golden fixtures, with either mapper', () => {
      expect([...scenarios.keys()].sort()).toStrictEqual(fixtureNames);
      for (const [name, written] of scenarios) {
        expect(written.generic, name).toBe(fixture(name));
        expect(written.security, name).toBe(fixture(name));
      }
    });

    it.each(encodeCases.map((c) => [c.label, c] as const))(
      'Java reads what we write for %s as the expected classes',
      (_label, c) => {
        const { sig, json } = readOk(`encode:${c.label}`);
        expect(sig).toBe(c.sig);
        expect(read(json)).toStrictEqual('back' in c ? c.back : c.value);
        if (c.javaText !== 'differs' && c.value !== null) expect(json).toBe(c.json);
      },
    );

    it('Java reads every golden fixture, and reads what we write back from it as the same classes', () => {
      const widened: Record<string, [string, string]> = {
        long: ['Long', 'BigInteger'],
        'whole-double': ['Double', 'Integer'],
        'big-decimal': ['BigDecimal', 'Double'],
      };
      for (const name of fixtureNames) {
        const original = readOk(`original:${name}`);
        const rewritten = readOk(`rewritten:${name}`);
        const change = widened[name];
        if (change === undefined) {
          expect(rewritten.sig, name).toBe(original.sig);
          expect(rewritten.json, name).toBe(original.json);
        } else {
          expect([original.sig, rewritten.sig], name).toStrictEqual(change);
        }
      }
      expect(readOk('original:map').sig).toBe(
        'LinkedHashMap{string:String,int:Integer,long:Long,unsafeLong:Long,double:Double,wholeDouble:Double,' +
          'negativeZero:Double,float:Float,bool:Boolean,nothing:null,bigInteger:BigInteger,smallBigInteger:BigInteger,' +
          'bigDecimal:BigDecimal,date:Date,timestamp:java.sql.Timestamp,list:ArrayList[Integer,Integer,Integer],' +
          'longs:ArrayList[Long,Long],set:LinkedHashSet[String,String],nested:LinkedHashMap{inner:ArrayList[LinkedHashMap{deep:Boolean}]},' +
          'day:java.time.DayOfWeek,uuid:UUID,sorted:TreeMap{a:Integer,b:Integer}}',
      );
    });

    it('an unchanged Spring Security context written back is read as the same Spring Security types', () => {
      const { sig } = readOk('rewritten:security-context');
      const authority = `${AUTHORITY}{role:String}`;
      expect(sig).toBe(
        `${CONTEXT}{authentication:${TOKEN}{authorities:Collections$UnmodifiableRandomAccessList[${authority},${authority}],` +
          `details:${DETAILS}{remoteAddress:String,sessionId:null},authenticated:Boolean,` +
          `principal:${USER}{password:null,username:String,authorities:Collections$UnmodifiableSet[${authority},${authority}],` +
          'accountNonExpired:Boolean,accountNonLocked:Boolean,credentialsNonExpired:Boolean,enabled:Boolean},credentials:null}}',
      );
      expect(readOk('original-security:security-context').sig).toBe(sig);
    });

    it('a Spring Security context built in Node is read by Java, with either mapper', () => {
      expect(readOk('node-security-context').sig).toMatch(
        new RegExp(`^${CONTEXT}\\{authentication:${TOKEN}\\{`),
      );
      const allowlistedRead = readOk('node-security-context-allowlisted');
      expect(allowlistedRead.sig).toContain(`principal:${USER}{password:null,username:String`);
      expect((read(allowlistedRead.json) as ContextTree).authentication.principal.username).toBe('bob');
    });

    it('changed members keep their Java classes', () => {
      const { sig, json } = readOk('changed-map');
      expect(sig).toContain(',long:Long,unsafeLong:Long,');
      expect(sig).toContain('longs:ArrayList[Long,Long,Integer]');
      expect(sig).toContain('day:java.time.DayOfWeek');
      expect((read(json) as Record<string, unknown>).day).toBe('FRIDAY');
      const cart = readOk('changed-bean');
      expect(cart.sig).toBe(
        'com.example.shop.Cart{id:Long,tags:[Ljava.lang.String;[String,String,String],items:ArrayList[String],' +
          'extra:LinkedHashMap{count:Long,coupon:String},total:Double}',
      );
      expect((read(cart.json) as Record<string, unknown>).id).toBe(9007199254740995n);
    });

    it('plain JSON without type ids fails in Jackson ("missing type id"); the same value written by us is read', () => {
      expect(answer('legacy-plain-json').error).toContain("missing type id property '@class'");
      expect(readOk('legacy-rewritten').sig).toBe('LinkedHashMap{userId:String,roles:ArrayList[String]}');
    });

    it('a mapper set up by Spring Security reads what springSecurityAllowlist writes, and refuses Sets and BigInteger ids', () => {
      const map = readOk('allowlisted-map');
      expect(map.sig).toBe(
        'LinkedHashMap{list:ArrayList[Integer,Long],date:Date,map:LinkedHashMap{a:Double},big:BigInteger,id:Long}',
      );
      expect((read(map.json) as Record<string, unknown>).big).toBe(2n ** 70n);
      expect(readOk('allowlisted-java-map').sig).toContain('timestamp:Date,');
      expect(answer('default-set-on-security-mapper').error).toContain(
        'java.util.LinkedHashSet is not in the allowlist',
      );
      expect(answer('default-bigint-on-security-mapper').error).toContain(
        'java.math.BigInteger is not in the allowlist',
      );
      // Java's own Long wrappers and Sets are unreadable there too: the allowlist is real.
      expect(answer('original-security:map').error).toContain('is not in the allowlist');
    });
  },
);
