import {
  type AttributeCodec,
  CorruptSessionDataError,
  type IndexValues,
  isExactJsonPrimitive,
  PRINCIPAL_NAME_INDEX_NAME,
  type SessionDelta,
  type SessionSerializer,
} from '@session/core';
import { HazelcastJsonValue } from 'hazelcast-client';

/**
 * One session as stored in the map: a JSON document, so members need no Java class and can query
 * it. `principal` is top level so `Predicates.equal('principal', name)` and a HASH index serve
 * principal lookups; other index values sit in `indexValues` (queried with `indexValues[any]`).
 *
 * A document with `movedTo` is not a session but a move marker: what `changeSessionId` leaves
 * under the old id for the id-change trail (see id-move.ts).
 */
export interface SessionDocument {
  id: string;
  creationTime: number;
  lastAccessedTime: number;
  /** Idle timeout in ms; negative: never expires. */
  maxInactiveIntervalMs: number;
  /** Principal name, absent when the session has none. */
  principal?: string;
  /** Non-principal index entries, each {@link encodeIndexValue}. Absent when empty. */
  indexValues?: string[];
  /** Attributes whose serialized form is JSON, embedded as JSON. */
  attributes: Record<string, unknown>;
  /** Attributes whose serialized form is not JSON (custom serializers), as their text. Absent when empty. */
  textAttributes?: Record<string, string>;
  /** Set on the marker left under the old id by `changeSessionId`: the id the session moved to. */
  movedTo?: string;
  /** On a move marker: when the move happened (epoch ms), which bounds the id-change trail. */
  movedAt?: number;
  /** Set on the copy written under the new id by `changeSessionId`: its add is not a creation. */
  movedFrom?: string;
}

/** The top-level document field holding the principal name. */
export const PRINCIPAL_FIELD = 'principal';
/** The document field holding other index values; query it as `indexValues[any]`. */
export const INDEX_VALUES_FIELD = 'indexValues';

/** The string stored in `indexValues` for one index entry (unambiguous for any name and value). */
export function encodeIndexValue(indexName: string, value: string): string {
  return JSON.stringify([indexName, value]);
}

/** One attribute value after the serializer: embedded JSON, or text when it is not JSON. */
export type EncodedAttribute = { readonly json: unknown } | { readonly text: string };

/**
 * Serializes one attribute through `codec` (whose failures are `SessionSerializationError`
 * naming the attribute); a JSON result is embedded as it is.
 */
export function encodeAttribute(codec: AttributeCodec, name: string, value: unknown): EncodedAttribute {
  // The default serializer stores plain primitives as their own JSON: skip the round trip.
  if (codec.keepsPrimitivesExact && isExactJsonPrimitive(value)) return { json: value };
  const text = codec.serialize(name, value);
  try {
    return { json: JSON.parse(text) };
  } catch {
    return { text };
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A null-prototype copy, so an attribute named `__proto__` stays an ordinary key. */
function dictionary<T>(source: Record<string, T> | undefined): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (source !== undefined) Object.assign(out, source);
  return out;
}

/**
 * The exact JSON text of a map value. Values arrive as `HazelcastJsonValue` with the
 * `NO_DESERIALIZATION` policy (clients this repository starts) and as parsed objects with the
 * client default (`EAGER`); the store wrote them with `JSON.stringify`, so re-stringifying a
 * parsed value gives back the stored text. `null` for no value.
 */
export function jsonTextOf(value: unknown): string | null {
  if (value === null || value === undefined || typeof value === 'boolean') return null;
  if (value instanceof HazelcastJsonValue) return value.toString();
  return JSON.stringify(value);
}

/** Parses stored JSON text; throws {@link CorruptSessionDataError} when required fields are missing. */
export function parseDocument(key: string, text: string): SessionDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CorruptSessionDataError(key, 'stored session is not valid JSON', { cause: err });
  }
  if (!isRecord(parsed)) throw new CorruptSessionDataError(key, 'stored session is not a JSON object');
  const doc = parsed as Partial<SessionDocument>;
  if (
    !isFiniteNumber(doc.creationTime) ||
    !isFiniteNumber(doc.lastAccessedTime) ||
    typeof doc.maxInactiveIntervalMs !== 'number' ||
    Number.isNaN(doc.maxInactiveIntervalMs) ||
    !isRecord(doc.attributes) ||
    (doc.textAttributes !== undefined && !isRecord(doc.textAttributes))
  ) {
    throw new CorruptSessionDataError(
      key,
      'stored session lacks creationTime, lastAccessedTime, maxInactiveIntervalMs or attributes',
    );
  }
  return doc as SessionDocument;
}

/** JSON text of a document. */
export function documentText(doc: SessionDocument): string {
  return JSON.stringify(doc);
}

/** True for the marker `changeSessionId` leaves under an old id: not a session. */
export function isMoveMarker(doc: SessionDocument): boolean {
  return doc.movedTo !== undefined;
}

/** Epoch ms when the document's session is due, or `null` when it never expires. */
export function documentDueAt(doc: SessionDocument): number | null {
  return doc.maxInactiveIntervalMs < 0 ? null : doc.lastAccessedTime + doc.maxInactiveIntervalMs;
}

/** True when the stored session is past its idle timeout at `now`. */
export function isDocumentExpired(doc: SessionDocument, now: number): boolean {
  const due = documentDueAt(doc);
  return due !== null && now >= due;
}

/** The stored text of one attribute (what the serializer produced), or `undefined`. */
function storedAttributeText(doc: SessionDocument, name: string): string | undefined {
  if (Object.hasOwn(doc.attributes, name)) return JSON.stringify(doc.attributes[name]);
  if (doc.textAttributes !== undefined && Object.hasOwn(doc.textAttributes, name)) {
    return doc.textAttributes[name];
  }
  return undefined;
}

/** Names of every attribute the document holds. */
export function attributeNames(doc: SessionDocument): string[] {
  const names = Object.keys(doc.attributes);
  for (const name of Object.keys(doc.textAttributes ?? {})) {
    if (!Object.hasOwn(doc.attributes, name)) names.push(name);
  }
  return names;
}

/** One attribute as the serializer's text, or `undefined` when the document does not hold it. */
export function attributeText(doc: SessionDocument, name: string): string | undefined {
  return storedAttributeText(doc, name);
}

/**
 * Every attribute of a document, decoded through `codec`. Throws `CorruptSessionDataError` for
 * `key` on the first attribute that does not decode, so bad data is never half-returned.
 */
export function decodeAttributes(
  codec: AttributeCodec,
  key: string,
  doc: SessionDocument,
): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const name of attributeNames(doc)) {
    const embedded = Object.hasOwn(doc.attributes, name);
    const value = embedded ? doc.attributes[name] : undefined;
    // The default serializer stored plain primitives as their own JSON: they are their value.
    if (embedded && codec.keepsPrimitivesExact && isExactJsonPrimitive(value)) {
      out.push([name, value]);
      continue;
    }
    try {
      out.push([name, codec.deserialize(name, storedAttributeText(doc, name) as string)]);
    } catch (err) {
      throw new CorruptSessionDataError(key, (err as Error).message, { cause: err });
    }
  }
  return out;
}

/** Decodes one attribute of a document with `serializer`; `undefined` when the document does not hold it. */
export function decodeAttribute(serializer: SessionSerializer, doc: SessionDocument, name: string): unknown {
  const text = storedAttributeText(doc, name);
  return text === undefined ? undefined : serializer.deserialize(text, name);
}

/** Writes the index fields of `doc` from resolved index values. */
function applyIndexes(doc: SessionDocument, indexes: IndexValues): void {
  doc.principal = undefined;
  doc.indexValues = undefined;
  const others: string[] = [];
  for (const [name, value] of Object.entries(indexes)) {
    if (name === PRINCIPAL_NAME_INDEX_NAME) doc.principal = value;
    else others.push(encodeIndexValue(name, value));
  }
  if (others.length > 0) doc.indexValues = others.sort();
}

function putAttribute(doc: SessionDocument, name: string, encoded: EncodedAttribute): void {
  if ('json' in encoded) {
    doc.attributes[name] = encoded.json;
    if (doc.textAttributes !== undefined) delete doc.textAttributes[name];
  } else {
    doc.textAttributes ??= dictionary<string>(undefined);
    doc.textAttributes[name] = encoded.text;
    delete doc.attributes[name];
  }
}

/** Drops empty optional fields so stored documents stay small and stable. */
function tidy(doc: SessionDocument): SessionDocument {
  const out: SessionDocument = {
    id: doc.id,
    creationTime: doc.creationTime,
    lastAccessedTime: doc.lastAccessedTime,
    maxInactiveIntervalMs: doc.maxInactiveIntervalMs,
    attributes: doc.attributes,
  };
  if (doc.principal !== undefined) out.principal = doc.principal;
  if (doc.indexValues !== undefined && doc.indexValues.length > 0) out.indexValues = doc.indexValues;
  if (doc.textAttributes !== undefined && Object.keys(doc.textAttributes).length > 0)
    out.textAttributes = doc.textAttributes;
  if (doc.movedTo !== undefined) out.movedTo = doc.movedTo;
  if (doc.movedAt !== undefined) out.movedAt = doc.movedAt;
  if (doc.movedFrom !== undefined) out.movedFrom = doc.movedFrom;
  return out;
}

/** The document of a session saved for the first time, from its delta and encoded values. */
export function newDocument(
  delta: SessionDelta,
  encoded: ReadonlyMap<string, EncodedAttribute>,
  indexes: IndexValues,
): SessionDocument {
  const doc: SessionDocument = {
    id: delta.id,
    creationTime: delta.creationTime,
    lastAccessedTime: delta.lastAccessedTime,
    maxInactiveIntervalMs: delta.maxInactiveIntervalMs,
    attributes: dictionary<unknown>(undefined),
  };
  for (const [name, value] of encoded) putAttribute(doc, name, value);
  applyIndexes(doc, indexes);
  return tidy(doc);
}

/**
 * Merges a delta into the stored document: only the attributes the delta sets or removes change,
 * so concurrent saves of different attributes all survive. `lastAccessedTime` never moves back
 * (a save never shortens a life a concurrent read extended). `indexes` are the index values after
 * the save, or `undefined` when the save cannot change them (the stored ones stay). `key` is where
 * the merged copy will live.
 */
export function mergeDelta(
  key: string,
  stored: SessionDocument,
  delta: SessionDelta,
  encoded: ReadonlyMap<string, EncodedAttribute>,
  indexes: IndexValues | undefined,
): SessionDocument {
  const doc: SessionDocument = {
    ...stored,
    id: key,
    attributes: dictionary(stored.attributes),
    textAttributes: stored.textAttributes === undefined ? undefined : dictionary(stored.textAttributes),
    movedTo: undefined,
    movedAt: undefined,
    movedFrom: undefined,
  };
  if (delta.lastAccessedTimeChanged)
    doc.lastAccessedTime = Math.max(stored.lastAccessedTime, delta.lastAccessedTime);
  if (delta.maxInactiveIntervalChanged) doc.maxInactiveIntervalMs = delta.maxInactiveIntervalMs;
  for (const name of delta.removedAttributes) {
    delete doc.attributes[name];
    if (doc.textAttributes !== undefined) delete doc.textAttributes[name];
  }
  for (const [name, value] of encoded) putAttribute(doc, name, value);
  if (indexes !== undefined) applyIndexes(doc, indexes);
  return tidy(doc);
}

/**
 * The marker left under `stored`'s old key when its session moves to `toKey`: the times and the
 * target only, no attributes and no index fields, so the old id holds no session data and no
 * index query finds it.
 */
export function moveMarker(
  fromKey: string,
  stored: SessionDocument,
  toKey: string,
  now: number,
): SessionDocument {
  return {
    id: fromKey,
    creationTime: stored.creationTime,
    lastAccessedTime: stored.lastAccessedTime,
    maxInactiveIntervalMs: stored.maxInactiveIntervalMs,
    attributes: {},
    movedTo: toKey,
    movedAt: now,
  };
}
