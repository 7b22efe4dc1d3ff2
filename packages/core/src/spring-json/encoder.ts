// JavaScript values to Jackson's default-typing JSON, refusing what Java could not read back exactly.
import { SessionSerializationError } from '../errors.js';
import {
  BIG_INTEGER,
  CLASS_NAME,
  DECIMAL_CLASSES,
  DEFAULT_DATE,
  DEFAULT_LIST,
  DEFAULT_MAP,
  DEFAULT_SET,
  INTEGRAL_CLASSES,
  JAVA_CLASS,
  kindOf,
  MAX_DEPTH,
  type ScalarHint,
  SPRING_SECURITY_READABLE,
  scalarHints,
  TYPE_PROPERTY,
} from './java-classes.js';

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
export function numberLiteral(value: number): string {
  return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : floatLiteral(value);
}

export class Encoder {
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
