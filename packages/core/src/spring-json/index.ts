import { SessionSerializationError } from '../errors.js';
import type { SessionSerializer } from '../serializer.js';
import { Decoder } from './decoder.js';
import { Encoder } from './encoder.js';
import { MalformedJson, type Node, Parser } from './json-parser.js';

export { JAVA_CLASS, javaClassOf, withJavaClass } from './java-classes.js';

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
