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

/** A plain-JSON attribute value, kept as the store's own deep copy. */
export class PlainValue {
  constructor(readonly value: unknown) {}
}

/** What the store holds per attribute: immutable primitives as they are, else a copy or text. */
export type StoredValue = EncodedValue | PlainValue | string | number | boolean | bigint | null;

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
    if (copy !== NOT_PLAIN_JSON) return new PlainValue(copy);
  }
  return new EncodedValue(codec.serialize(name, value));
}

/** The attribute value for a stored one: a fresh copy for objects. */
export function decodeStoredValue(codec: AttributeCodec, name: string, stored: StoredValue): unknown {
  if (stored instanceof PlainValue) return clonePlainJson(stored.value);
  return stored instanceof EncodedValue ? codec.deserialize(name, stored.text) : stored;
}

/**
 * The value handed to a loaded session. Plain JSON copies are made only when the app reads the
 * attribute (copying cannot fail, and most requests read few attributes); serialized values are
 * decoded at once, so one that does not decode makes the session unreadable (bad data is no
 * session) instead of failing a later read.
 */
export function loadStoredValue(codec: AttributeCodec, name: string, stored: StoredValue): unknown {
  if (stored instanceof PlainValue) return deferredAttribute(() => clonePlainJson(stored.value));
  return stored instanceof EncodedValue ? codec.deserialize(name, stored.text) : stored;
}
