import { SessionSerializationError } from './errors.js';

/**
 * Turns one attribute value into text and back. Stores call it per attribute, so an attribute
 * that fails names itself in the error.
 */
export interface SessionSerializer {
  serialize(value: unknown, attributeName: string): string;
  deserialize(text: string, attributeName: string): unknown;
}

// Envelope and tag keys. Plain JSON values never use the envelope, so other languages read them as is.
const ENVELOPE = '$session';
const TAG = '$t';
const VALUE = 'v';

type TypedArrayName =
  | 'Int8Array'
  | 'Uint8Array'
  | 'Uint8ClampedArray'
  | 'Int16Array'
  | 'Uint16Array'
  | 'Int32Array'
  | 'Uint32Array'
  | 'Float32Array'
  | 'Float64Array'
  | 'BigInt64Array'
  | 'BigUint64Array';

const TYPED_ARRAYS: Record<TypedArrayName, new (buffer: ArrayBuffer) => ArrayBufferView> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

/**
 * True for JSON primitives core's default serializer stores as themselves: strings, booleans,
 * `null`, and finite numbers other than -0. Stores may keep such values without serializing them.
 */
export function isExactJsonPrimitive(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    default:
      return value === null;
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * True when JSON.stringify/parse round-trips `value` exactly and, with `tagged`, no key collides
 * with a tag (the default serializer's envelope needs that; plain JSON text does not).
 */
function isPlainJson(value: unknown, topLevel: boolean, seen: Set<object>, tagged = true): boolean {
  switch (typeof value) {
    case 'object': {
      if (value === null) return true;
      if (seen.has(value)) return false;
      seen.add(value);
      try {
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            if (!(i in value) || !isPlainJson(value[i], false, seen, tagged)) return false;
          }
          return true;
        }
        if (!isPlainObject(value)) return false;
        if (tagged && (Object.hasOwn(value, TAG) || (topLevel && Object.hasOwn(value, ENVELOPE))))
          return false;
        for (const key of Object.keys(value)) {
          if (!isPlainJson((value as Record<string, unknown>)[key], false, seen, tagged)) return false;
        }
        return true;
      } finally {
        seen.delete(value);
      }
    }
    default:
      return isExactJsonPrimitive(value);
  }
}

/** What {@link clonePlainJson} returns for a value that is not plain JSON. */
export const NOT_PLAIN_JSON: unique symbol = Symbol('not plain JSON');

function cloneJson(value: unknown, topLevel: boolean, depth: number): unknown {
  switch (typeof value) {
    case 'object': {
      if (value === null) return null;
      // Deep structures (and cycles) take the serializer's path, which reports them precisely.
      if (depth > 64) return NOT_PLAIN_JSON;
      if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) return NOT_PLAIN_JSON;
          const item = cloneJson(value[i], false, depth + 1);
          if (item === NOT_PLAIN_JSON) return NOT_PLAIN_JSON;
          out[i] = item;
        }
        return out;
      }
      if (!isPlainObject(value)) return NOT_PLAIN_JSON;
      if (Object.hasOwn(value, TAG) || (topLevel && Object.hasOwn(value, ENVELOPE))) return NOT_PLAIN_JSON;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const item = cloneJson((value as Record<string, unknown>)[key], false, depth + 1);
        if (item === NOT_PLAIN_JSON) return NOT_PLAIN_JSON;
        assign(out, key, item);
      }
      return out;
    }
    default:
      return isExactJsonPrimitive(value) ? value : NOT_PLAIN_JSON;
  }
}

/**
 * A deep copy of `value` when it is plain JSON as {@link defaultSerializer} sees it (strings,
 * finite numbers other than -0, booleans, null, dense arrays and plain objects of those, no tag
 * keys), else {@link NOT_PLAIN_JSON}. Copying such a value gives exactly what the serializer's
 * round trip would, several times faster: in-process stores use it to keep isolated copies.
 */
export function clonePlainJson(value: unknown): unknown {
  try {
    return cloneJson(value, true, 0);
  } catch {
    // A throwing getter: the serializer reports it, naming the attribute.
    return NOT_PLAIN_JSON;
  }
}

function fail(name: string, path: string, what: string): never {
  throw new SessionSerializationError(name, `${what} at ${path} cannot be stored in a session`);
}

function encode(value: unknown, name: string, path: string, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (isExactJsonPrimitive(value)) return value;
      return { [TAG]: 'number', [VALUE]: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      return { [TAG]: 'bigint', [VALUE]: value.toString() };
    case 'undefined':
      return { [TAG]: 'undefined' };
    case 'function':
      return fail(name, path, 'A function');
    case 'symbol':
      return fail(name, path, 'A symbol');
  }
  if (value === null) return null;
  const obj = value as object;
  if (ancestors.has(obj)) fail(name, path, 'A circular reference');
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      const out: unknown[] = [];
      for (let i = 0; i < obj.length; i++) {
        // A hole switches to the sparse form: holes must stay holes (forEach and `in` skip them),
        // and walking the length of `a[2 ** 32 - 2] = x` index by index would never finish.
        if (!(i in obj)) return encodeSparse(obj, name, path, ancestors);
        out.push(encode(obj[i], name, `${path}[${i}]`, ancestors));
      }
      return out;
    }
    if (obj instanceof Date) {
      const time = obj.getTime();
      return { [TAG]: 'Date', [VALUE]: Number.isNaN(time) ? null : obj.toISOString() };
    }
    if (obj instanceof Map) {
      let i = 0;
      const entries: unknown[] = [];
      for (const [k, v] of obj) {
        entries.push([
          encode(k, name, `${path}<key ${i}>`, ancestors),
          encode(v, name, `${path}<value ${i}>`, ancestors),
        ]);
        i++;
      }
      return { [TAG]: 'Map', [VALUE]: entries };
    }
    if (obj instanceof Set) {
      let i = 0;
      const items: unknown[] = [];
      for (const v of obj) items.push(encode(v, name, `${path}<item ${i++}>`, ancestors));
      return { [TAG]: 'Set', [VALUE]: items };
    }
    if (obj instanceof RegExp) return { [TAG]: 'RegExp', [VALUE]: [obj.source, obj.flags] };
    if (ArrayBuffer.isView(obj)) {
      // Node's Buffer is a Uint8Array subclass whose constructor is named "Buffer"; it comes back as a Buffer.
      const tag = Buffer.isBuffer(obj) ? 'Buffer' : obj.constructor.name;
      if (tag !== 'Buffer' && !Object.hasOwn(TYPED_ARRAYS, tag))
        fail(name, path, `A ${obj.constructor.name}`);
      const bytes = Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64');
      return { [TAG]: tag, [VALUE]: bytes };
    }
    if (obj instanceof ArrayBuffer) {
      return { [TAG]: 'ArrayBuffer', [VALUE]: Buffer.from(obj).toString('base64') };
    }
    if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
      return encode((obj as { toJSON(): unknown }).toJSON(), name, path, ancestors);
    }
    if (obj instanceof Error || obj instanceof WeakMap || obj instanceof WeakSet || obj instanceof Promise) {
      fail(name, path, `A ${obj.constructor.name}`);
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj)) {
      assign(out, key, encode((obj as Record<string, unknown>)[key], name, `${path}.${key}`, ancestors));
    }
    // An object that happens to use the tag key is wrapped so it cannot be mistaken for a tag.
    return Object.hasOwn(out, TAG) ? { [TAG]: 'object', [VALUE]: out } : out;
  } finally {
    ancestors.delete(obj);
  }
}

/** A sparse array as its length and its present `[index, value]` pairs (other properties are dropped, as JSON does). */
function encodeSparse(arr: unknown[], name: string, path: string, ancestors: Set<object>): unknown {
  const entries: unknown[] = [];
  for (const key of Object.keys(arr)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || String(index) !== key) continue;
    entries.push([index, encode(arr[index], name, `${path}[${index}]`, ancestors)]);
  }
  return { [TAG]: 'SparseArray', [VALUE]: [arr.length, entries] };
}

function decodeSparse(payload: unknown, name: string): unknown[] {
  const [length, entries] = Array.isArray(payload) ? payload : [];
  if (!Number.isInteger(length) || length < 0 || length > 2 ** 32 - 1 || !Array.isArray(entries)) {
    throw new SessionSerializationError(name, 'stored sparse array is malformed');
  }
  const out = new Array<unknown>(length);
  for (const entry of entries) {
    const [index, value] = Array.isArray(entry) ? entry : [];
    if (!Number.isInteger(index) || index < 0 || index >= length) {
      throw new SessionSerializationError(name, 'stored sparse array has an index out of range');
    }
    out[index] = decode(value, name);
  }
  return out;
}

/** Sets a decoded property; `__proto__` becomes an own property, never the object's prototype. */
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

function decode(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => decode(item, name));
  const record = value as Record<string, unknown>;
  if (!Object.hasOwn(record, TAG)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record)) assign(out, key, decode(record[key], name));
    return out;
  }
  const tag = record[TAG];
  const payload = record[VALUE];
  switch (tag) {
    case 'undefined':
      return undefined;
    case 'number':
      return payload === '-0' ? -0 : Number(payload);
    case 'bigint':
      return BigInt(payload as string);
    case 'Date':
      return new Date(payload === null ? Number.NaN : (payload as string));
    case 'Map':
      return new Map((payload as [unknown, unknown][]).map(([k, v]) => [decode(k, name), decode(v, name)]));
    case 'Set':
      return new Set((payload as unknown[]).map((v) => decode(v, name)));
    case 'SparseArray':
      return decodeSparse(payload, name);
    case 'RegExp': {
      const [source, flags] = payload as [string, string];
      return new RegExp(source, flags);
    }
    case 'ArrayBuffer': {
      const buf = Buffer.from(payload as string, 'base64');
      return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    }
    case 'Buffer':
      return Buffer.from(payload as string, 'base64');
    case 'object': {
      const inner = payload as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(inner)) assign(out, key, decode(inner[key], name));
      return out;
    }
    default: {
      // Own keys only: an inherited name such as "constructor" is not a type tag.
      const Ctor =
        typeof tag === 'string' && Object.hasOwn(TYPED_ARRAYS, tag)
          ? TYPED_ARRAYS[tag as TypedArrayName]
          : undefined;
      if (Ctor === undefined) {
        throw new SessionSerializationError(name, `unknown type tag ${JSON.stringify(tag)}`);
      }
      const buf = Buffer.from(payload as string, 'base64');
      const copy = new ArrayBuffer(buf.byteLength);
      new Uint8Array(copy).set(buf);
      return new Ctor(copy);
    }
  }
}

/**
 * The default serializer. Plain JSON values (strings, finite numbers, booleans, null, arrays and
 * plain objects of those) are stored as plain JSON text, readable by any language and by Spring
 * Session's JSON serializer. Values JSON cannot carry exactly (Date, BigInt, Map, Set, typed
 * arrays, Buffer, ArrayBuffer, RegExp, undefined inside objects, sparse arrays with their holes,
 * NaN, ±Infinity, -0) are wrapped
 * in a small tagged envelope and come back as the same types. Functions, symbols and cycles throw
 * {@link SessionSerializationError} naming the attribute and the path inside it.
 */
export const defaultSerializer: SessionSerializer = {
  serialize(value, attributeName) {
    try {
      // Primitives (most attributes) need no cycle tracking: no Set for them.
      if (typeof value !== 'object' || value === null) {
        if (isExactJsonPrimitive(value)) return JSON.stringify(value);
      } else if (isPlainJson(value, true, new Set())) {
        return JSON.stringify(value);
      }
      const encoded = encode(value, attributeName, '$', new Set());
      return JSON.stringify({ [ENVELOPE]: 1, [VALUE]: encoded });
    } catch (err) {
      // A throwing getter or toJSON, or nesting too deep for the stack, still names the attribute.
      if (err instanceof SessionSerializationError) throw err;
      throw new SessionSerializationError(attributeName, 'value cannot be serialized', { cause: err });
    }
  },
  deserialize(text, attributeName) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new SessionSerializationError(attributeName, 'stored value is not valid JSON', { cause: err });
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && ENVELOPE in parsed) {
      const envelope = parsed as Record<string, unknown>;
      if (envelope[ENVELOPE] !== 1) {
        throw new SessionSerializationError(
          attributeName,
          `unsupported envelope version ${String(envelope[ENVELOPE])}`,
        );
      }
      try {
        return decode(envelope[VALUE], attributeName);
      } catch (err) {
        if (err instanceof SessionSerializationError) throw err;
        throw new SessionSerializationError(attributeName, 'stored value is malformed', { cause: err });
      }
    }
    return parsed;
  },
};

/**
 * A strict plain-JSON serializer: only values JSON carries exactly are accepted, everything else
 * throws. Use it when other languages must read every attribute.
 */
export const jsonSerializer: SessionSerializer = {
  serialize(value, attributeName) {
    try {
      if (isPlainJson(value, false, new Set(), false)) return JSON.stringify(value);
      // Run the tagged encoder for its precise error (function, symbol, cycle) before the generic one.
      encode(value, attributeName, '$', new Set());
    } catch (err) {
      if (err instanceof SessionSerializationError) throw err;
      throw new SessionSerializationError(attributeName, 'value cannot be serialized', { cause: err });
    }
    throw new SessionSerializationError(
      attributeName,
      'value is not plain JSON (jsonSerializer accepts only plain JSON)',
    );
  },
  deserialize(text, attributeName) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new SessionSerializationError(attributeName, 'stored value is not valid JSON', { cause: err });
    }
  },
};
