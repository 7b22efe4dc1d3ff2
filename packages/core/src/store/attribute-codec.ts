import { CorruptSessionDataError, SessionSerializationError } from '../errors.js';
import { defaultSerializer, type SessionSerializer } from '../serializer.js';

/**
 * Attribute values in and out of a store through the repository's serializer, with one error
 * mapping for every store: whatever a serializer throws (a `TypeError` from a custom one, a
 * non-string result) becomes a {@link SessionSerializationError} naming the attribute, never a
 * "store unavailable" error; a stored value that does not decode makes the whole stored session a
 * {@link CorruptSessionDataError} (bad data is no session).
 */
export class AttributeCodec {
  /** The serializer in use. */
  readonly serializer: SessionSerializer;
  /**
   * The serializer is core's default, which stores {@link isExactJsonPrimitive} values as
   * themselves: a store may skip it for them (both ways) without changing what it stores.
   */
  readonly keepsPrimitivesExact: boolean;

  constructor(serializer: SessionSerializer = defaultSerializer) {
    this.serializer = serializer;
    this.keepsPrimitivesExact = serializer === defaultSerializer;
  }

  /** The stored text of one value. Throws {@link SessionSerializationError} naming `name`. */
  serialize(name: string, value: unknown): string {
    let text: unknown;
    try {
      text = this.serializer.serialize(value, name);
    } catch (err) {
      if (err instanceof SessionSerializationError) throw err;
      throw new SessionSerializationError(name, `the serializer failed: ${messageOf(err)}`, { cause: err });
    }
    if (typeof text !== 'string') {
      throw new SessionSerializationError(name, `the serializer returned ${typeof text}, not a string`);
    }
    return text;
  }

  /** The value of one stored text. Throws {@link SessionSerializationError} naming `name`. */
  deserialize(name: string, text: string): unknown {
    try {
      return this.serializer.deserialize(text, name);
    } catch (err) {
      if (err instanceof SessionSerializationError) throw err;
      throw new SessionSerializationError(
        name,
        `the serializer failed to read the stored value: ${messageOf(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  /**
   * Serializes every value of a save before anything is written, so a value that cannot be stored
   * fails the save with nothing changed.
   */
  serializeAll(values: ReadonlyMap<string, unknown>): Map<string, string> {
    const out = new Map<string, string>();
    for (const [name, value] of values) out.set(name, this.serialize(name, value));
    return out;
  }

  /**
   * Decodes a stored session's attributes. The first that fails makes the session unreadable:
   * throws {@link CorruptSessionDataError} for `sessionId`, naming the attribute.
   */
  deserializeAll(sessionId: string, stored: Iterable<readonly [string, string]>): Array<[string, unknown]> {
    const out: Array<[string, unknown]> = [];
    for (const [name, text] of stored) {
      try {
        out.push([name, this.deserialize(name, text)]);
      } catch (err) {
        throw new CorruptSessionDataError(sessionId, (err as Error).message, { cause: err });
      }
    }
    return out;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
