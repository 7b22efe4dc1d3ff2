// The Java classes the dialect knows (maps, lists, sets, dates, numbers, Spring Security's
// allowlist) and the hidden JAVA_CLASS hints that carry them through JavaScript values.
import { SessionSerializationError } from '../errors.js';

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

export const TYPE_PROPERTY = '@class';
export const DEFAULT_MAP = 'java.util.LinkedHashMap';
export const DEFAULT_LIST = 'java.util.ArrayList';
export const DEFAULT_SET = 'java.util.LinkedHashSet';
export const DEFAULT_DATE = 'java.util.Date';
export const BIG_INTEGER = 'java.math.BigInteger';
/** Deeper values are rejected both ways: Jackson 2.15+ refuses more than 1000 nesting levels. */
export const MAX_DEPTH = 1000;

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
export const INTEGRAL_CLASSES = new Map<string, readonly [bigint, bigint] | undefined>([
  ['java.lang.Long', [-(2n ** 63n), 2n ** 63n - 1n]],
  ['java.lang.Integer', [-(2n ** 31n), 2n ** 31n - 1n]],
  ['java.lang.Short', [-(2n ** 15n), 2n ** 15n - 1n]],
  ['java.lang.Byte', [-(2n ** 7n), 2n ** 7n - 1n]],
  ['java.util.concurrent.atomic.AtomicLong', [-(2n ** 63n), 2n ** 63n - 1n]],
  ['java.util.concurrent.atomic.AtomicInteger', [-(2n ** 31n), 2n ** 31n - 1n]],
  [BIG_INTEGER, undefined],
]);
export const DECIMAL_CLASSES = new Set(['java.lang.Double', 'java.lang.Float', 'java.math.BigDecimal']);
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
export const SPRING_SECURITY_READABLE = new Set([
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
export const CLASS_NAME = new RegExp(
  `^(?:(?:${IDENT}\\.)*${IDENT}|\\[+(?:[ZBCSIJFD]|L(?:${IDENT}\\.)*${IDENT};))$`,
  'u',
);
/**
 * What may open a wrapper array `["<class>", value]`: a class name by Java's conventions (lower-case
 * package, upper-case class: `java.util.ArrayList`, `com.acme.Color`) or an array descriptor. An
 * untyped `String[]` such as `["example.com", "x"]` is therefore not taken for a wrapper.
 */
export const WRAPPER_CLASS_NAME = new RegExp(
  `^(?:(?:[\\p{Ll}_$][\\p{L}\\p{N}_$]*\\.)+\\p{Lu}[\\p{L}\\p{N}_$]*|\\[+(?:[ZBCSIJFD]|L(?:${IDENT}\\.)*${IDENT};))$`,
  'u',
);

type Kind = 'map' | 'list' | 'set' | 'date' | 'scalar' | 'array' | 'unknown';

export function kindOf(javaClass: string): Kind {
  if (MAP_CLASSES.has(javaClass)) return 'map';
  if (LIST_CLASSES.has(javaClass)) return 'list';
  if (SET_CLASSES.has(javaClass)) return 'set';
  if (DATE_CLASSES.has(javaClass)) return 'date';
  if (SCALAR_CLASSES.has(javaClass)) return 'scalar';
  if (javaClass.startsWith('[')) return 'array';
  return 'unknown';
}

/** Whether a collection of class `javaClass` decodes to a `Set` (known Set classes, or `...Set`). */
export function isSetClass(javaClass: string): boolean {
  if (SET_CLASSES.has(javaClass)) return true;
  if (LIST_CLASSES.has(javaClass) || javaClass.startsWith('[')) return false;
  const simple = javaClass.slice(Math.max(javaClass.lastIndexOf('.'), javaClass.lastIndexOf('$')) + 1);
  return /Set(?:N|12)?$/.test(simple);
}

/**
 * How a scalar member of a decoded container was written: its Java class (`null`: plain JSON), its
 * exact JSON literal and the value it decoded to. Unchanged members are written back as they were.
 */
export interface ScalarHint {
  readonly javaClass: string | null;
  readonly raw: string;
  readonly value: unknown;
}

/** Hints per decoded container: keyed by property name (objects), index (arrays) or element (Sets). */
export const scalarHints = new WeakMap<object, Map<unknown, ScalarHint>>();

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

export function setJavaClass(target: object, javaClass: string | null): void {
  Object.defineProperty(target, JAVA_CLASS, {
    value: javaClass,
    enumerable: false,
    writable: true,
    configurable: true,
  });
}
