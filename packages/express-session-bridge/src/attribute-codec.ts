import { type AttributeCodec, isExactJsonPrimitive, SessionSerializationError } from '@session/core';

/** express-session's own property in every stored session. */
export const COOKIE_FIELD = 'cookie';

/** The bridge's reserved property holding exact timestamps (see `BridgeMetadata`). */
export const METADATA_FIELD = '__session';

/** Attribute names the bridge cannot store, because the stored object uses them itself. */
export const RESERVED_ATTRIBUTE_NAMES: readonly string[] = [COOKIE_FIELD, METADATA_FIELD];

/**
 * The JSON value stored for one attribute. Stores `JSON.stringify` the whole session, so each
 * value is kept as the JSON value its serializer text parses to: plain JSON values stay exactly
 * what an express-session app would store, and core's default serializer wraps the rest (Date,
 * BigInt, Map, Set, …) in its tagged envelope so they come back as the same types. Serializer
 * failures are core's `AttributeCodec`'s; this adds the reserved names and the JSON requirement.
 * Throws `SessionSerializationError` naming the attribute.
 */
export function encodeJsonValue(codec: AttributeCodec, name: string, value: unknown): unknown {
  if (RESERVED_ATTRIBUTE_NAMES.includes(name)) {
    throw new SessionSerializationError(
      name,
      'the name is reserved by express-session stores (the session cookie and the bridge metadata)',
    );
  }
  if (codec.keepsPrimitivesExact && isExactJsonPrimitive(value)) return value;
  const text = codec.serialize(name, value);
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

/** The attribute value of a stored JSON value. Throws `SessionSerializationError` when unreadable. */
export function decodeJsonValue(codec: AttributeCodec, name: string, stored: unknown): unknown {
  if (codec.keepsPrimitivesExact && (stored === null || typeof stored !== 'object')) return stored;
  // A fresh copy every time: loaded sessions never share objects with the store or each other.
  const text = JSON.stringify(stored);
  if (text === undefined) throw new SessionSerializationError(name, 'the stored value is not JSON');
  return codec.deserialize(name, text);
}
