import { type AttributeCodec, isExactJsonPrimitive } from '@session/core';

/** A serialized attribute value. */
export class EncodedValue {
  constructor(readonly text: string) {}
}

/** What the store holds per attribute: immutable primitives as they are, anything else as text. */
export type StoredValue = EncodedValue | string | number | boolean | bigint | null;

/**
 * Copies attribute values in and out of the store through the serializer, so stored sessions never
 * share objects with the caller and behave like any remote store (same accepted types, same
 * errors). Immutable primitives the default serializer would store as themselves (and bigints,
 * which it round-trips exactly) skip it: they cannot be shared mutably, and skipping it makes
 * saves and reads of typical sessions several times cheaper.
 */
export function encodeStoredValue(codec: AttributeCodec, name: string, value: unknown): StoredValue {
  if (codec.keepsPrimitivesExact && (isExactJsonPrimitive(value) || typeof value === 'bigint')) {
    return value as StoredValue;
  }
  return new EncodedValue(codec.serialize(name, value));
}

/** The attribute value for a stored one; a fresh copy for serialized values. */
export function decodeStoredValue(codec: AttributeCodec, name: string, stored: StoredValue): unknown {
  return stored instanceof EncodedValue ? codec.deserialize(name, stored.text) : stored;
}
