import { defaultSerializer, SessionSerializationError, type SessionSerializer } from '@session/core';

/** express-session's own property in every stored session. */
export const COOKIE_FIELD = 'cookie';

/** The bridge's reserved property holding exact timestamps (see `BridgeMetadata`). */
export const METADATA_FIELD = '__session';

/** Attribute names the bridge cannot store, because the stored object uses them itself. */
export const RESERVED_ATTRIBUTE_NAMES: readonly string[] = [COOKIE_FIELD, METADATA_FIELD];

/**
 * Attribute values in and out of the stored object. Stores `JSON.stringify` the whole session, so
 * each value is kept as the JSON value its serializer text parses to: plain JSON values stay
 * exactly what an express-session app would store, and core's default serializer wraps the rest
 * (Date, BigInt, Map, Set, …) in its tagged envelope so they come back as the same types.
 */
export class AttributeCodec {
  readonly #serializer: SessionSerializer;
  // The default serializer keeps JSON primitives as they are, so they skip it both ways.
  readonly #primitivesAreExact: boolean;

  constructor(serializer: SessionSerializer) {
    this.#serializer = serializer;
    this.#primitivesAreExact = serializer === defaultSerializer;
  }

  /** The JSON value to store for `value`. Throws `SessionSerializationError` naming the attribute. */
  encode(value: unknown, name: string): unknown {
    if (RESERVED_ATTRIBUTE_NAMES.includes(name)) {
      throw new SessionSerializationError(
        name,
        'the name is reserved by express-session stores (the session cookie and the bridge metadata)',
      );
    }
    if (this.#primitivesAreExact && isExactJsonPrimitive(value)) return value;
    let text: unknown;
    try {
      text = this.#serializer.serialize(value, name);
    } catch (err) {
      if (err instanceof SessionSerializationError) throw err;
      throw new SessionSerializationError(name, 'the serializer failed', { cause: err });
    }
    if (typeof text !== 'string') {
      throw new SessionSerializationError(name, 'the serializer did not return a string');
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new SessionSerializationError(
        name,
        'the serializer must produce JSON text, because express-session stores keep sessions as JSON',
        { cause: err },
      );
    }
  }

  /** The attribute value for a stored JSON value. Throws `SessionSerializationError` when unreadable. */
  decode(stored: unknown, name: string): unknown {
    if (this.#primitivesAreExact && (stored === null || typeof stored !== 'object')) return stored;
    // A fresh copy every time: loaded sessions never share objects with the store or each other.
    const text = JSON.stringify(stored);
    if (text === undefined) {
      throw new SessionSerializationError(name, 'the stored value is not JSON');
    }
    try {
      return this.#serializer.deserialize(text, name);
    } catch (err) {
      if (err instanceof SessionSerializationError) throw err;
      throw new SessionSerializationError(name, 'the serializer failed to read the stored value', {
        cause: err,
      });
    }
  }
}

function isExactJsonPrimitive(value: unknown): boolean {
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
