import {
  type AttributeCodec,
  clonePlainJson,
  deferredAttribute,
  isExactJsonPrimitive,
  NOT_PLAIN_JSON,
} from '@session/core';

/** A serialized attribute value (not plain JSON, or a custom serializer's output). */
export class EncodedValue {
  constructor(readonly text: string) {}
}

/** A plain-JSON object or array: the store's own deep copy, never handed out as it is. */
export type PlainCopy = object;

/**
 * What the store holds per attribute: immutable primitives as they are, plain JSON objects and
 * arrays as the store's own deep copy (unwrapped: one object less per stored value), anything else
 * as serialized text.
 */
export type StoredValue = EncodedValue | PlainCopy | string | number | boolean | bigint | null;

/**
 * Copies attribute values in and out of the store, so stored sessions never share objects with
 * the caller and behave like any remote store (same accepted types, same errors). With core's
 * default serializer: immutable primitives (and bigints, which it round-trips exactly) are kept as
 * they are, and plain JSON values as deep copies, which is what the serializer's round trip would
 * give, several times faster; everything else goes through the serializer.
 */
export function encodeStoredValue(codec: AttributeCodec, name: string, value: unknown): StoredValue {
  if (codec.keepsPrimitivesExact) {
    if (isExactJsonPrimitive(value) || typeof value === 'bigint') return value as StoredValue;
    const copy = clonePlainJson(value);
    if (copy !== NOT_PLAIN_JSON) return copy as PlainCopy;
  }
  return new EncodedValue(codec.serialize(name, value));
}

/** The attribute value for a stored one: a fresh copy for objects. */
export function decodeStoredValue(codec: AttributeCodec, name: string, stored: StoredValue): unknown {
  if (typeof stored !== 'object' || stored === null) return stored;
  return stored instanceof EncodedValue ? codec.deserialize(name, stored.text) : clonePlainJson(stored);
}

/**
 * The value handed to a loaded session. Plain JSON copies are made only when the app reads the
 * attribute (copying cannot fail, and most requests read few attributes); serialized values are
 * decoded at once, so one that does not decode makes the session unreadable (bad data is no
 * session) instead of failing a later read.
 */
export function loadStoredValue(codec: AttributeCodec, name: string, stored: StoredValue): unknown {
  if (typeof stored !== 'object' || stored === null) return stored;
  if (stored instanceof EncodedValue) return codec.deserialize(name, stored.text);
  return deferredAttribute(clonePlainJson, stored);
}
