import { SessionSerializationError } from './errors.js';
import type { SessionSerializer } from './serializer.js';

/*
 * Attribute values in the JSON dialect of Spring Data Redis 3.x `GenericJackson2JsonRedisSerializer`
 * (Jackson default typing, `JsonTypeInfo.Id.CLASS` in a property named `@class`):
 *
 * - strings, booleans, Integer/Long/Double and null are plain JSON;
 * - a map or bean is an object whose first property is `"@class": "<java class>"`;
 * - a collection, a Java array, or a scalar that needs its type (Date, BigInteger, Long inside a
 *   map...) is the wrapper array `["<java class>", <value>]`;
 * - values inside a typed bean may be written without type information when the field's declared
 *   type makes it unnecessary (a `long` field, a `String[]` field).
 *
 * Decoding keeps what JavaScript cannot express (the Java class of a container or Date, the exact
 * literal and class of a number or string member) so that re-encoding an unchanged value gives
 * Java back the same types; see `JAVA_CLASS`.
 */

/**
 * Non-enumerable property that holds the Java class of a value decoded by (or meant for)
 * {@link springJsonSerializer}: a class name such as `"java.util.ArrayList"` or
 * `"org.springframework.security.core.userdetails.User"`, or `null` for a value Java wrote without
 * type information (a `String[]` field, for instance), which is then written back the same way.
 *
 * Decoded plain objects, arrays, Sets and Dates carry it; set it on your own values with
 * {@link withJavaClass}. Being a non-enumerable symbol, it is invisible to `JSON.stringify`,
 * `Object.keys`, spreads and equality checks, and a copy (`{ ...obj }`, `structuredClone`) drops it.
 * It is `Symbol.for('@session/core:java-class')`, so every copy of `@session/core` shares it.
 */
export const JAVA_CLASS: unique symbol = Symbol.for('@session/core:java-class');

/** Options of {@link createSpringJsonSerializer}. */
export interface SpringJsonSerializerOptions {
  /**
   * Write only what a Java service reads when its ObjectMapper got default typing from Spring
   * Security's `SecurityJackson2Modules` (a fresh `ObjectMapper` with the security modules passed to
   * `new GenericJackson2JsonRedisSerializer(mapper)`): that mapper accepts only an allowlist of JDK
   * classes (ArrayList, LinkedHashMap, HashMap, TreeMap, Date, Instant, URL, `Arrays$ArrayList`,
   * the empty/singleton/unmodifiable collections) plus classes with Jackson annotations or mixins.
   * In this mode a `Set` without a readable class throws, a `bigint` is written as plain integer
   * digits (Java: Integer, Long or BigInteger by size), and other JDK classes fall back to ArrayList,
   * LinkedHashMap, Date or plain numbers and strings. Default `false` (the mapper
   * GenericJackson2JsonRedisSerializer builds itself accepts every class).
   */
  springSecurityAllowlist?: boolean;
}

const TYPE_PROPERTY = '@class';
const DEFAULT_MAP = 'java.util.LinkedHashMap';
const DEFAULT_LIST = 'java.util.ArrayList';
const DEFAULT_SET = 'java.util.LinkedHashSet';
const DEFAULT_DATE = 'java.util.Date';
const BIG_INTEGER = 'java.math.BigInteger';
/** Deeper values are rejected both ways: Jackson 2.15+ refuses more than 1000 nesting levels. */
const MAX_DEPTH = 1000;

const LIST_CLASSES = new Set([
  'java.util.ArrayList',
  'java.util.LinkedList',
  'java.util.Vector',
  'java.util.Stack',
  'java.util.ArrayDeque',
  'java.util.Arrays$ArrayList',
  'java.util.Collections$UnmodifiableRandomAccessList',
  'java.util.Collections$UnmodifiableList',
  'java.util.Collections$SynchronizedRandomAccessList',
  'java.util.Collections$SynchronizedList',
  'java.util.Collections$CheckedRandomAccessList',
  'java.util.Collections$CheckedList',
  'java.util.Collections$EmptyList',
  'java.util.Collections$SingletonList',
  'java.util.ImmutableCollections$ListN',
  'java.util.ImmutableCollections$List12',
  'java.util.ImmutableCollections$SubList',
  'java.util.concurrent.CopyOnWriteArrayList',
]);

const SET_CLASSES = new Set([
  'java.util.HashSet',
  'java.util.LinkedHashSet',
  'java.util.TreeSet',
  'java.util.RegularEnumSet',
  'java.util.JumboEnumSet',
  'java.util.Collections$UnmodifiableSet',
  'java.util.Collections$UnmodifiableSortedSet',
  'java.util.Collections$UnmodifiableNavigableSet',
  'java.util.Collections$SynchronizedSet',
  'java.util.Collections$SynchronizedSortedSet',
  'java.util.Collections$SynchronizedNavigableSet',
  'java.util.Collections$CheckedSet',
  'java.util.Collections$CheckedSortedSet',
  'java.util.Collections$CheckedNavigableSet',
  'java.util.Collections$EmptySet',
  'java.util.Collections$SingletonSet',
  'java.util.ImmutableCollections$SetN',
  'java.util.ImmutableCollections$Set12',
  'java.util.concurrent.ConcurrentSkipListSet',
  'java.util.concurrent.CopyOnWriteArraySet',
]);

const MAP_CLASSES = new Set([
  'java.util.HashMap',
  'java.util.LinkedHashMap',
  'java.util.TreeMap',
  'java.util.Hashtable',
  'java.util.Properties',
  'java.util.IdentityHashMap',
  'java.util.WeakHashMap',
  'java.util.EnumMap',
  'java.util.Collections$UnmodifiableMap',
  'java.util.Collections$UnmodifiableSortedMap',
  'java.util.Collections$UnmodifiableNavigableMap',
  'java.util.Collections$SynchronizedMap',
  'java.util.Collections$SynchronizedSortedMap',
  'java.util.Collections$CheckedMap',
  'java.util.Collections$EmptyMap',
  'java.util.Collections$SingletonMap',
  'java.util.ImmutableCollections$MapN',
  'java.util.ImmutableCollections$Map1',
  'java.util.concurrent.ConcurrentHashMap',
  'java.util.concurrent.ConcurrentSkipListMap',
]);

/** Classes Jackson writes as epoch milliseconds (with its default WRITE_DATES_AS_TIMESTAMPS). */
const DATE_CLASSES = new Set([
  'java.util.Date',
  'java.sql.Timestamp',
  'java.sql.Date',
  'java.util.GregorianCalendar',
]);

/** Number classes: integral ones with their range (undefined: unbounded), and decimal ones. */
const INTEGRAL_CLASSES = new Map<string, readonly [bigint, bigint] | undefined>([
  ['java.lang.Long', [-(2n ** 63n), 2n ** 63n - 1n]],
  ['java.lang.Integer', [-(2n ** 31n), 2n ** 31n - 1n]],
  ['java.lang.Short', [-(2n ** 15n), 2n ** 15n - 1n]],
  ['java.lang.Byte', [-(2n ** 7n), 2n ** 7n - 1n]],
  ['java.util.concurrent.atomic.AtomicLong', [-(2n ** 63n), 2n ** 63n - 1n]],
  ['java.util.concurrent.atomic.AtomicInteger', [-(2n ** 31n), 2n ** 31n - 1n]],
  [BIG_INTEGER, undefined],
]);
const DECIMAL_CLASSES = new Set(['java.lang.Double', 'java.lang.Float', 'java.math.BigDecimal']);
/** Classes that are always a JSON scalar (Jackson may write them in a wrapper array, never as an object). */
const SCALAR_CLASSES = new Set([
  ...INTEGRAL_CLASSES.keys(),
  ...DECIMAL_CLASSES,
  'java.lang.String',
  'java.lang.Boolean',
  'java.lang.Character',
]);

/**
 * JDK classes a mapper configured by Spring Security's `SecurityJackson2Modules` (6.x) reads: its
 * allowlist plus the JDK collections its core module gives mixins.
 */
const SPRING_SECURITY_READABLE = new Set([
  'java.util.ArrayList',
  'java.util.Arrays$ArrayList',
  'java.util.Collections$EmptyList',
  'java.util.Collections$SingletonList',
  'java.util.Collections$UnmodifiableRandomAccessList',
  'java.util.Collections$UnmodifiableSet',
  'java.util.Collections$UnmodifiableMap',
  'java.util.Collections$EmptyMap',
  'java.util.HashMap',
  'java.util.LinkedHashMap',
  'java.util.TreeMap',
  'java.util.Date',
  'java.time.Instant',
  'java.net.URL',
]);

const IDENT = String.raw`[\p{L}_$][\p{L}\p{N}_$]*`;
/** A Java binary class name (`a.b.C$D`) or an array descriptor (`[Ljava.lang.String;`, `[I`). */
const CLASS_NAME = new RegExp(
  `^(?:(?:${IDENT}\\.)*${IDENT}|\\[+(?:[ZBCSIJFD]|L(?:${IDENT}\\.)*${IDENT};))$`,
  'u',
);
/**
 * What may open a wrapper array `["<class>", value]`: a class name by Java's conventions (lower-case
 * package, upper-case class: `java.util.ArrayList`, `com.acme.Color`) or an array descriptor. An
 * untyped `String[]` such as `["example.com", "x"]` is therefore not taken for a wrapper.
 */
const WRAPPER_CLASS_NAME = new RegExp(
  `^(?:(?:[\\p{Ll}_$][\\p{L}\\p{N}_$]*\\.)+\\p{Lu}[\\p{L}\\p{N}_$]*|\\[+(?:[ZBCSIJFD]|L(?:${IDENT}\\.)*${IDENT};))$`,
  'u',
);

type Kind = 'map' | 'list' | 'set' | 'date' | 'scalar' | 'array' | 'unknown';

function kindOf(javaClass: string): Kind {
  if (MAP_CLASSES.has(javaClass)) return 'map';
  if (LIST_CLASSES.has(javaClass)) return 'list';
  if (SET_CLASSES.has(javaClass)) return 'set';
  if (DATE_CLASSES.has(javaClass)) return 'date';
  if (SCALAR_CLASSES.has(javaClass)) return 'scalar';
  if (javaClass.startsWith('[')) return 'array';
  return 'unknown';
}

/** Whether a collection of class `javaClass` decodes to a `Set` (known Set classes, or `...Set`). */
function isSetClass(javaClass: string): boolean {
  if (SET_CLASSES.has(javaClass)) return true;
  if (LIST_CLASSES.has(javaClass) || javaClass.startsWith('[')) return false;
  const simple = javaClass.slice(Math.max(javaClass.lastIndexOf('.'), javaClass.lastIndexOf('$')) + 1);
  return /Set(?:N|12)?$/.test(simple);
}

/**
 * How a scalar member of a decoded container was written: its Java class (`null`: plain JSON), its
 * exact JSON literal and the value it decoded to. Unchanged members are written back as they were.
 */
interface ScalarHint {
  readonly javaClass: string | null;
  readonly raw: string;
  readonly value: unknown;
}

/** Hints per decoded container: keyed by property name (objects), index (arrays) or element (Sets). */
const scalarHints = new WeakMap<object, Map<unknown, ScalarHint>>();

/**
 * The Java class recorded on `value` under {@link JAVA_CLASS}: a class name, `null` (written without
 * type information), or `undefined` when none is recorded (the serializer then picks the default:
 * LinkedHashMap, ArrayList, LinkedHashSet or Date).
 */
export function javaClassOf(value: unknown): string | null | undefined {
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, JAVA_CLASS)) return undefined;
  return (value as { [JAVA_CLASS]?: string | null })[JAVA_CLASS];
}

/**
 * Records the Java class {@link springJsonSerializer} writes for `value` (a plain object, array,
 * `Set`, `Map` or `Date`) and returns `value`. `null` writes it without type information, as Java
 * writes a field whose declared type needs none (a `String[]`). Throws
 * {@link SessionSerializationError} for a malformed class name.
 *
 * ```ts
 * session.set('roles', withJavaClass(new Set(['ADMIN']), 'java.util.TreeSet'));
 * ```
 */
export function withJavaClass<T extends object>(value: T, javaClass: string | null): T {
  if (javaClass !== null && (typeof javaClass !== 'string' || !CLASS_NAME.test(javaClass))) {
    throw new SessionSerializationError(undefined, `${JSON.stringify(javaClass)} is not a Java class name`);
  }
  setJavaClass(value, javaClass);
  return value;
}

function setJavaClass(target: object, javaClass: string | null): void {
  Object.defineProperty(target, JAVA_CLASS, {
    value: javaClass,
    enumerable: false,
    writable: true,
    configurable: true,
  });
}

// ---------------------------------------------------------------------------------------------
// Encoding

function describe(value: object): string {
  if (Buffer.isBuffer(value)) return 'A Buffer';
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `A ${value.constructor.name}`;
  if (value instanceof RegExp) return 'A RegExp';
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `A ${name} instance` : 'A non-plain object';
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function propertyPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** A JSON number literal Jackson reads as a floating-point number (Double). */
function floatLiteral(value: number): string {
  if (Object.is(value, -0)) return '-0.0';
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/** What the encoder writes for a number: safe integers as integers, everything else as a Double. */
function numberLiteral(value: number): string {
  return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : floatLiteral(value);
}

class Encoder {
  private readonly ancestors = new Set<object>();

  constructor(
    private readonly attributeName: string,
    private readonly allowlist: boolean,
  ) {}

  private fail(path: string, what: string, why?: string): never {
    throw new SessionSerializationError(
      this.attributeName,
      `${what} at ${path} cannot be written as Spring Session JSON${why === undefined ? '' : ` (${why})`}`,
    );
  }

  /** The class to write for a container or Date, after validation and the allowlist fallback. */
  private classFor(
    value: object,
    kind: 'map' | 'list' | 'set' | 'date',
    fallback: string,
    path: string,
    depth: number,
  ): string | null {
    if (!Object.hasOwn(value, JAVA_CLASS)) return this.readable(fallback, kind, path);
    const javaClass = (value as { [JAVA_CLASS]?: unknown })[JAVA_CLASS];
    if (javaClass === null) {
      if (kind === 'set' || kind === 'date') {
        this.fail(path, kind === 'set' ? 'A Set' : 'A Date', 'it always needs its Java class');
      }
      // Untyped is right only where a Java field's declared type says what it is, never at the root.
      if (depth === 0) this.fail(path, 'A value marked untyped', 'Java needs type information at the root');
      return null;
    }
    if (typeof javaClass !== 'string' || !CLASS_NAME.test(javaClass)) {
      this.fail(path, `The Java class ${JSON.stringify(javaClass)}`, 'not a Java class name');
    }
    const actual = kindOf(javaClass);
    const fits = actual === kind || actual === 'unknown' || (actual === 'array' && kind === 'list');
    if (!fits) this.fail(path, `The Java class ${javaClass}`, `it is not a ${kind} class`);
    if (this.allowlist && !this.securityReadable(javaClass)) {
      if (kind === 'set') {
        this.fail(path, `A ${javaClass}`, "Spring Security's allowlist has no such Set class");
      }
      return fallback;
    }
    return javaClass;
  }

  private securityReadable(javaClass: string): boolean {
    return (
      SPRING_SECURITY_READABLE.has(javaClass) || !(javaClass.startsWith('java') || javaClass.startsWith('['))
    );
  }

  private readable(javaClass: string, kind: string, path: string): string {
    if (this.allowlist && !this.securityReadable(javaClass)) {
      this.fail(
        path,
        kind === 'set' ? 'A Set' : `A ${javaClass}`,
        `Spring Security's allowlist rejects ${javaClass}; use an array, or withJavaClass(set, 'java.util.Collections$UnmodifiableSet')`,
      );
    }
    return javaClass;
  }

  encode(value: unknown, path: string, depth: number): string {
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'number':
        if (!Number.isFinite(value)) this.fail(path, String(value), 'JSON has no NaN or Infinity');
        return numberLiteral(value);
      case 'bigint':
        // Spring Security's allowlist refuses the BigInteger type id, but plain integer digits need
        // no type id: Jackson reads them as Integer, Long or BigInteger by size.
        return this.allowlist ? value.toString() : `[${JSON.stringify(BIG_INTEGER)},${value.toString()}]`;
      case 'undefined':
        return this.fail(path, 'undefined', 'delete the attribute or key instead');
      case 'function':
        return this.fail(path, 'A function');
      case 'symbol':
        return this.fail(path, 'A symbol');
    }
    if (value === null) return 'null';
    const obj = value as object;
    if (depth > MAX_DEPTH) this.fail(path, 'A value', `nested more than ${MAX_DEPTH} levels`);
    if (this.ancestors.has(obj)) this.fail(path, 'A circular reference');
    this.ancestors.add(obj);
    try {
      if (Array.isArray(obj)) return this.encodeArray(obj, path, depth);
      if (obj instanceof Date) return this.encodeDate(obj, path);
      if (obj instanceof Set) return this.encodeSet(obj, path, depth);
      if (obj instanceof Map) return this.encodeMap(obj, path, depth);
      if (!isPlainObject(obj)) return this.fail(path, describe(obj));
      return this.encodeObject(obj as Record<string, unknown>, path, depth);
    } finally {
      this.ancestors.delete(obj);
    }
  }

  /** A member of a decoded container: written as it was read when unchanged (see ScalarHint). */
  private member(container: object, key: unknown, value: unknown, path: string, depth: number): string {
    const hint = scalarHints.get(container)?.get(key);
    if (hint !== undefined) {
      const text = this.hinted(hint, value);
      if (text !== undefined) return text;
    }
    return this.encode(value, path, depth + 1);
  }

  private hinted(hint: ScalarHint, value: unknown): string | undefined {
    const { javaClass } = hint;
    if (javaClass !== null && this.allowlist && !this.securityReadable(javaClass)) return undefined;
    const wrap = (literal: string) =>
      javaClass === null ? literal : `[${JSON.stringify(javaClass)},${literal}]`;
    if (Object.is(value, hint.value)) return wrap(hint.raw);
    if (javaClass === null) {
      // Java wrote a plain literal here (a `long` or `double` field): keep the integer or float form.
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'number' && Number.isFinite(value) && /[.eE]/.test(hint.raw))
        return floatLiteral(value);
      return undefined;
    }
    if (INTEGRAL_CLASSES.has(javaClass)) {
      const n =
        typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value as number) : undefined;
      const range = INTEGRAL_CLASSES.get(javaClass);
      if (n === undefined || (range !== undefined && (n < range[0] || n > range[1]))) return undefined;
      return wrap(n.toString());
    }
    if (DECIMAL_CLASSES.has(javaClass)) {
      if (typeof value === 'number' && Number.isFinite(value)) return wrap(floatLiteral(value));
      if (typeof value === 'bigint' && javaClass === 'java.math.BigDecimal') return wrap(value.toString());
      return undefined;
    }
    // Another class with a scalar payload (an enum, UUID, Instant...): same JSON type, same class.
    if (typeof value === typeof hint.value) {
      if (typeof value === 'string') return wrap(JSON.stringify(value));
      if (typeof value === 'boolean') return wrap(String(value));
      if (typeof value === 'number' && Number.isFinite(value)) return wrap(numberLiteral(value));
    }
    return undefined;
  }

  private encodeArray(arr: unknown[], path: string, depth: number): string {
    const keys = Object.keys(arr);
    if (keys.length !== arr.length) {
      for (let i = 0; i < arr.length; i++)
        if (!(i in arr)) this.fail(`${path}[${i}]`, 'A hole in a sparse array');
      const extra = keys.find((key) => !(String(Number(key)) === key && Number(key) < arr.length));
      this.fail(path, `An array with the extra property ${JSON.stringify(extra)}`, 'JSON drops it');
    }
    this.checkSymbols(arr, path);
    const javaClass = this.classFor(arr, 'list', DEFAULT_LIST, path, depth);
    const items: string[] = [];
    for (let i = 0; i < arr.length; i++) items.push(this.member(arr, i, arr[i], `${path}[${i}]`, depth));
    const body = `[${items.join(',')}]`;
    return javaClass === null ? body : `[${JSON.stringify(javaClass)},${body}]`;
  }

  private encodeSet(set: Set<unknown>, path: string, depth: number): string {
    const javaClass = this.classFor(set, 'set', DEFAULT_SET, path, depth) as string;
    const items: string[] = [];
    let i = 0;
    for (const item of set) items.push(this.member(set, item, item, `${path}<item ${i++}>`, depth));
    return `[${JSON.stringify(javaClass)},[${items.join(',')}]]`;
  }

  private encodeDate(date: Date, path: string): string {
    const time = date.getTime();
    if (Number.isNaN(time)) this.fail(path, 'An invalid Date');
    const javaClass = this.classFor(date, 'date', DEFAULT_DATE, path, 1) as string;
    return `[${JSON.stringify(javaClass)},${time}]`;
  }

  private encodeMap(map: Map<unknown, unknown>, path: string, depth: number): string {
    const javaClass = this.classFor(map, 'map', DEFAULT_MAP, path, depth);
    const parts: string[] = [];
    let i = 0;
    for (const [key, value] of map) {
      if (typeof key !== 'string') {
        this.fail(
          `${path}<key ${i}>`,
          `A Map key of type ${key === null ? 'null' : typeof key}`,
          'Java reads map keys as strings',
        );
      }
      this.checkTypeKey(key, value, javaClass, `${path}<key ${i}>`);
      if (key !== TYPE_PROPERTY) {
        parts.push(`${JSON.stringify(key)}:${this.encode(value, propertyPath(path, key), depth + 1)}`);
      }
      i++;
    }
    return this.objectBody(javaClass, parts);
  }

  private encodeObject(obj: Record<string, unknown>, path: string, depth: number): string {
    this.checkSymbols(obj, path);
    const javaClass = this.classFor(obj, 'map', DEFAULT_MAP, path, depth);
    const parts: string[] = [];
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      this.checkTypeKey(key, value, javaClass, propertyPath(path, key));
      if (key !== TYPE_PROPERTY) {
        parts.push(`${JSON.stringify(key)}:${this.member(obj, key, value, propertyPath(path, key), depth)}`);
      }
    }
    return this.objectBody(javaClass, parts);
  }

  private objectBody(javaClass: string | null, parts: string[]): string {
    if (javaClass !== null) parts.unshift(`${JSON.stringify(TYPE_PROPERTY)}:${JSON.stringify(javaClass)}`);
    return `{${parts.join(',')}}`;
  }

  /** An own `@class` key is the type id in Jackson's eyes: only the class being written may use it. */
  private checkTypeKey(key: string, value: unknown, javaClass: string | null, path: string): void {
    if (key === TYPE_PROPERTY && (javaClass === null || value !== javaClass)) {
      this.fail(
        path,
        `The key "@class" = ${typeof value === 'string' ? JSON.stringify(value) : typeof value}`,
        `Jackson reads it as the type id; the object's Java class is ${javaClass ?? 'none'} (set it with withJavaClass)`,
      );
    }
  }

  private checkSymbols(obj: object, path: string): void {
    for (const sym of Object.getOwnPropertySymbols(obj)) {
      if (Object.prototype.propertyIsEnumerable.call(obj, sym)) {
        this.fail(path, `The symbol-keyed property ${String(sym)}`, 'JSON drops it');
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing: JSON.parse cannot tell 1.0 from 1 nor keep integers beyond 2^53 exact, so a small
// strict parser keeps each number's literal.

type Node =
  | { readonly t: 'str'; readonly v: string; readonly raw: string }
  | { readonly t: 'num'; readonly raw: string; readonly int: boolean }
  | { readonly t: 'lit'; readonly v: boolean | null }
  | { readonly t: 'arr'; readonly items: Node[] }
  | { readonly t: 'obj'; readonly keys: string[]; readonly values: Node[] };

class MalformedJson extends Error {}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): Node {
    const node = this.value(0);
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.error('unexpected text after the value');
    return node;
  }

  private error(message: string): never {
    throw new MalformedJson(`${message} at offset ${this.pos}`);
  }

  private skipWhitespace(): void {
    const { text } = this;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  private value(depth: number): Node {
    if (depth > MAX_DEPTH) this.error(`nested more than ${MAX_DEPTH} levels`);
    this.skipWhitespace();
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default: {
        NUMBER.lastIndex = this.pos;
        const match = NUMBER.exec(this.text);
        if (match === null)
          this.error(c === undefined ? 'unexpected end of text' : `unexpected ${JSON.stringify(c)}`);
        this.pos += match[0].length;
        return { t: 'num', raw: match[0], int: !/[.eE]/.test(match[0]) };
      }
    }
  }

  private literal(word: string, v: boolean | null): Node {
    if (!this.text.startsWith(word, this.pos)) this.error('unexpected token');
    this.pos += word.length;
    return { t: 'lit', v };
  }

  private string(): { t: 'str'; v: string; raw: string } {
    const start = this.pos;
    this.pos++;
    const { text } = this;
    for (;;) {
      let code = text.charCodeAt(this.pos);
      // Skip the plain characters: anything but a quote, a backslash, a control character or the end.
      while (code >= 0x20 && code !== 0x22 && code !== 0x5c) code = text.charCodeAt(++this.pos);
      const c = text[this.pos];
      if (c === '"') break;
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6)))
            this.error('bad \\u escape');
          this.pos += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          this.pos += 2;
        } else {
          this.error('bad escape');
        }
        continue;
      }
      this.error(c === undefined ? 'unterminated string' : 'control character in string');
    }
    this.pos++;
    const raw = this.text.slice(start, this.pos);
    return { t: 'str', v: raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1), raw };
  }

  private array(depth: number): Node {
    this.pos++;
    const items: Node[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { t: 'arr', items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos++];
      if (c === ']') return { t: 'arr', items };
      if (c !== ',') this.error('expected , or ]');
    }
  }

  private object(depth: number): Node {
    this.pos++;
    const keys: string[] = [];
    const values: Node[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { t: 'obj', keys, values };
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.error('expected a property name');
      keys.push(this.string().v);
      this.skipWhitespace();
      if (this.text[this.pos++] !== ':') this.error('expected :');
      values.push(this.value(depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos++];
      if (c === '}') return { t: 'obj', keys, values };
      if (c !== ',') this.error('expected , or }');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Sets a decoded property; `__proto__` becomes an own property, never the object's prototype. */
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** A number literal as JavaScript: integers beyond 2^53 as bigint (Jackson reads Long/BigInteger). */
function numberValue(node: { raw: string; int: boolean }): number | bigint {
  if (!node.int) return Number(node.raw);
  const n = Number(node.raw);
  if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
  return BigInt(node.raw);
}

interface Decoded {
  value: unknown;
  hint?: ScalarHint;
}

class Decoder {
  /** Set for a root Java wrote with type information: untyped nested containers are then remembered. */
  private typedRoot = false;

  constructor(private readonly attributeName: string) {}

  private malformed(message: string): never {
    throw new SessionSerializationError(this.attributeName, `stored value is not Spring JSON: ${message}`);
  }

  decodeRoot(node: Node): unknown {
    this.typedRoot =
      (node.t === 'obj' && node.keys.includes(TYPE_PROPERTY)) ||
      (node.t === 'arr' && this.wrapperClass(node) !== undefined);
    return this.decode(node, 0).value;
  }

  private wrapperClass(node: { items: Node[] }): string | undefined {
    if (node.items.length !== 2) return undefined;
    const [first, payload] = node.items as [Node, Node];
    if (first.t !== 'str' || !WRAPPER_CLASS_NAME.test(first.v)) return undefined;
    return payload.t === 'lit' && payload.v === null ? undefined : first.v;
  }

  private decode(node: Node, depth: number): Decoded {
    switch (node.t) {
      case 'str':
        return { value: node.v };
      case 'lit':
        return { value: node.v };
      case 'num': {
        const value = numberValue(node);
        const same = typeof value === 'number' && numberLiteral(value) === node.raw;
        return same ? { value } : { value, hint: { javaClass: null, raw: node.raw, value } };
      }
      case 'obj':
        return { value: this.decodeObject(node, depth, undefined) };
      case 'arr': {
        const javaClass = this.wrapperClass(node);
        if (javaClass === undefined) return { value: this.decodeList(node.items, depth, undefined) };
        return this.decodeWrapper(javaClass, node.items[1] as Node, depth);
      }
    }
  }

  private decodeWrapper(javaClass: string, payload: Node, depth: number): Decoded {
    const kind = kindOf(javaClass);
    switch (payload.t) {
      case 'arr':
        if (kind === 'map' || kind === 'date' || kind === 'scalar') {
          this.malformed(`${javaClass} holds an array`);
        }
        return {
          value: isSetClass(javaClass)
            ? this.decodeSet(payload.items, depth, javaClass)
            : this.decodeList(payload.items, depth, javaClass),
        };
      case 'obj':
        // Jackson also reads a bean in wrapper-array form; it is written back in property form.
        return { value: this.decodeObject(payload, depth, javaClass) };
      default: {
        if (kind === 'map' || kind === 'list' || kind === 'set' || kind === 'array') {
          this.malformed(`${javaClass} holds a scalar`);
        }
        if (kind === 'date') return { value: this.decodeDate(javaClass, payload) };
        const value =
          payload.t === 'num' ? numberValue(payload) : payload.t === 'str' ? payload.v : payload.v;
        const raw = payload.t === 'lit' ? String(payload.v) : payload.raw;
        return { value, hint: { javaClass, raw, value } };
      }
    }
  }

  private decodeDate(javaClass: string, payload: Node): Date {
    let time = Number.NaN;
    if (payload.t === 'num' && payload.int) time = Number(payload.raw);
    else if (payload.t === 'str') time = Date.parse(payload.v);
    const date = new Date(time);
    if (Number.isNaN(date.getTime()))
      this.malformed(
        `${javaClass} holds ${payload.t === 'str' ? payload.raw : 'no epoch milliseconds in range'}`,
      );
    setJavaClass(date, javaClass);
    return date;
  }

  /** `javaClass` undefined: an array without type information (see {@link Decoder.mark}). */
  private decodeList(items: Node[], depth: number, javaClass: string | undefined): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      const { value, hint } = this.decode(items[i] as Node, depth + 1);
      out.push(value);
      if (hint !== undefined) this.remember(out, i, hint);
    }
    this.mark(out, javaClass, depth);
    return out;
  }

  private decodeSet(items: Node[], depth: number, javaClass: string): Set<unknown> {
    const out = new Set<unknown>();
    for (const item of items) {
      const { value, hint } = this.decode(item, depth + 1);
      out.add(value);
      if (hint !== undefined) this.remember(out, value, hint);
    }
    setJavaClass(out, javaClass);
    return out;
  }

  private decodeObject(
    node: { keys: string[]; values: Node[] },
    depth: number,
    wrapperClass: string | undefined,
  ) {
    const out: Record<string, unknown> = {};
    let javaClass = wrapperClass;
    let typeSeen = false;
    for (let i = 0; i < node.keys.length; i++) {
      const key = node.keys[i] as string;
      const valueNode = node.values[i] as Node;
      if (key === TYPE_PROPERTY && !typeSeen) {
        // Jackson takes the first "@class" as the type id.
        if (valueNode.t !== 'str' || !CLASS_NAME.test(valueNode.v))
          this.malformed(`"@class" is not a class name`);
        const kind = kindOf(valueNode.v);
        if (kind !== 'map' && kind !== 'unknown') this.malformed(`${valueNode.v} is written as an object`);
        javaClass = valueNode.v;
        typeSeen = true;
        continue;
      }
      const { value, hint } = this.decode(valueNode, depth + 1);
      assign(out, key, value);
      if (hint !== undefined) this.remember(out, key, hint);
    }
    this.mark(out, javaClass, depth);
    return out;
  }

  /**
   * Records a container's class. A container without type information inside a typed root is one
   * Java wrote untyped on purpose (its field's declared type): it stays untyped (`null`). At the
   * root, or anywhere in an untyped document (old plain JSON), it is left unmarked, so the next
   * write adds the type information Java needs.
   */
  private mark(target: object, javaClass: string | undefined, depth: number): void {
    if (javaClass !== undefined) setJavaClass(target, javaClass);
    else if (depth > 0 && this.typedRoot) setJavaClass(target, null);
  }

  private remember(container: object, key: unknown, hint: ScalarHint): void {
    let hints = scalarHints.get(container);
    if (hints === undefined) {
      hints = new Map();
      scalarHints.set(container, hints);
    }
    hints.set(key, hint);
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Creates a {@link SessionSerializer} speaking the JSON of a Spring Session 3.x service whose
 * `springSessionDefaultRedisSerializer` is Spring Data Redis 3.x `GenericJackson2JsonRedisSerializer`.
 * See {@link springJsonSerializer} for the mapping; `options` tune it for a Java mapper set up by
 * Spring Security.
 */
export function createSpringJsonSerializer(options: SpringJsonSerializerOptions = {}): SessionSerializer {
  const allowlist = options.springSecurityAllowlist === true;
  return {
    serialize(value, attributeName) {
      try {
        return new Encoder(attributeName, allowlist).encode(value, '$', 0);
      } catch (err) {
        if (err instanceof SessionSerializationError) throw err;
        // A throwing getter, or nesting too deep for the stack, still names the attribute.
        throw new SessionSerializationError(attributeName, 'value cannot be written as Spring Session JSON', {
          cause: err,
        });
      }
    },
    deserialize(text, attributeName) {
      // Spring writes an empty value for a removed attribute: absent, never an error.
      if (text === '') return undefined;
      let node: Node;
      try {
        node = new Parser(text).parseDocument();
      } catch (err) {
        throw new SessionSerializationError(
          attributeName,
          `stored value is not valid JSON${err instanceof MalformedJson ? `: ${err.message}` : ''}`,
          { cause: err },
        );
      }
      try {
        return new Decoder(attributeName).decodeRoot(node);
      } catch (err) {
        if (err instanceof SessionSerializationError) throw err;
        throw new SessionSerializationError(attributeName, 'stored value is malformed', { cause: err });
      }
    },
  };
}

/**
 * Reads and writes attribute values exactly as a Spring Session 3.x Java service configured with
 * Spring Data Redis 3.x `GenericJackson2JsonRedisSerializer` does (Jackson default typing, class
 * names in `@class`), so Node and Java services can share sessions. Use it for every attribute of a
 * store's Spring-compatible mode.
 *
 * Writing: strings, booleans and `null` are plain JSON (Java reads `null` as null, which Spring
 * treats as an absent attribute); safe integers are plain integers (Java: Integer or Long); other
 * finite numbers are written as doubles (Java: Double; `-0` as `-0.0`); plain objects and
 * string-keyed Maps become `{"@class":"java.util.LinkedHashMap",...}`; arrays
 * `["java.util.ArrayList",[...]]`; Sets `["java.util.LinkedHashSet",[...]]`; Dates
 * `["java.util.Date",<ms>]`; bigints `["java.math.BigInteger",<digits>]`. A value carrying
 * {@link JAVA_CLASS} (every decoded container and Date) is written with that class instead, and
 * unchanged number or string members of decoded containers keep their Java class and literal
 * (`["java.lang.Long",5]`, an enum constant, `2.0`).
 *
 * Rejected, with {@link SessionSerializationError} naming the attribute and the path (`$.a[2]`):
 * functions, symbols, `undefined`, NaN and ±Infinity, cycles, sparse arrays and arrays with extra
 * properties, invalid Dates, Maps with non-string keys, non-plain objects (class instances, Buffer,
 * typed arrays, RegExp, Error...), enumerable symbol keys, an own `"@class"` key that differs from
 * the object's Java class, a {@link JAVA_CLASS} that does not fit the value, and values nested
 * deeper than 1000 levels.
 *
 * Reading: objects become plain objects (maps and beans alike, `@class` moved to
 * {@link JAVA_CLASS}); collections become arrays, or Sets for Set classes; Date, Timestamp and
 * Calendar become Dates; integers beyond `Number.MAX_SAFE_INTEGER` become bigints, every other
 * number (Long, BigInteger, BigDecimal, Float...) a number; scalars of other classes (enums, UUID)
 * their string or number. Empty text (what Spring writes for a removed attribute) reads as
 * `undefined`. Plain JSON without type ids, which Jackson refuses, is read leniently and written
 * back typed. Text that is not JSON, or typed JSON whose class contradicts its shape (a list class
 * written as an object), throws.
 *
 * What changes on a round trip through Node: object keys that look like array indexes move first
 * (JavaScript key order); a number at the top level of an attribute forgets its Java class (a root
 * Long beyond 2^53 comes back to Java as BigInteger, a whole Double as Integer, a BigDecimal as
 * Double); copies (`{ ...obj }`) forget their class and become LinkedHashMaps.
 *
 * ```ts
 * // A store in its Spring-compatible mode, e.g. @session/redis:
 * const repo = new RedisIndexedSessionRepository({ layout: 'spring', serializer: springJsonSerializer });
 * const session = await repo.findById(id);
 * const ctx = session?.get('SPRING_SECURITY_CONTEXT'); // written by a Java service
 * ctx.authentication.principal.username;               // plain objects, Java classes kept aside
 * ```
 */
export const springJsonSerializer: SessionSerializer = createSpringJsonSerializer();
