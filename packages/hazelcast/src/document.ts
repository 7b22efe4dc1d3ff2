import {
  CorruptSessionDataError,
  type IndexResolver,
  MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  type SaveMode,
  type SessionDelta,
  type SessionIdGenerator,
  type SessionSerializer,
} from '@session/core';

/**
 * One session as stored in the map: a JSON document, so members need no Java class and can query
 * it. `principal` is top level so `Predicates.equal('principal', name)` and a HASH index serve
 * principal lookups; other index values sit in `indexValues` (queried with `indexValues[any]`).
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
  /** Set on the copy left under the old id while `changeSessionId` moves the session. */
  movedTo?: string;
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

/** Serializes one attribute; plain JSON values end up embedded as they are. */
export function encodeAttribute(
  serializer: SessionSerializer,
  name: string,
  value: unknown,
): EncodedAttribute {
  const text = serializer.serialize(value, name);
  try {
    return { json: JSON.parse(text) };
  } catch {
    return { text };
  }
}

/** Serializes every attribute of a delta before anything is written, so a bad value fails the save cleanly. */
export function encodeAttributes(
  serializer: SessionSerializer,
  values: ReadonlyMap<string, unknown>,
): Map<string, EncodedAttribute> {
  const out = new Map<string, EncodedAttribute>();
  for (const [name, value] of values) out.set(name, encodeAttribute(serializer, name, value));
  return out;
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

/** Epoch ms when the document's session is due, or `null` when it never expires. */
export function documentExpiresAt(doc: SessionDocument): number | null {
  return doc.maxInactiveIntervalMs < 0 ? null : doc.lastAccessedTime + doc.maxInactiveIntervalMs;
}

/** True when the stored session is past its idle timeout at `now`. */
export function isDocumentExpired(doc: SessionDocument, now: number): boolean {
  const due = documentExpiresAt(doc);
  return due !== null && now >= due;
}

/**
 * The entry TTL for a document, in ms: its remaining life (at least 1 ms, since the member reads
 * `0` as "forever"), or `0` (forever) for sessions that never expire.
 */
export function ttlFor(doc: SessionDocument, now: number): number {
  const due = documentExpiresAt(doc);
  return due === null ? 0 : Math.max(1, Math.ceil(due - now));
}

/** Decodes one attribute of a document; `undefined` when the document does not hold it. */
export function decodeAttribute(serializer: SessionSerializer, doc: SessionDocument, name: string): unknown {
  if (Object.hasOwn(doc.attributes, name)) {
    return serializer.deserialize(JSON.stringify(doc.attributes[name]), name);
  }
  if (doc.textAttributes !== undefined && Object.hasOwn(doc.textAttributes, name)) {
    return serializer.deserialize(doc.textAttributes[name] as string, name);
  }
  return undefined;
}

/** Every attribute of a document, decoded. Throws on the first attribute that fails. */
export function decodeAttributes(serializer: SessionSerializer, doc: SessionDocument): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const name of Object.keys(doc.attributes)) out.set(name, decodeAttribute(serializer, doc, name));
  for (const name of Object.keys(doc.textAttributes ?? {})) {
    if (!out.has(name)) out.set(name, decodeAttribute(serializer, doc, name));
  }
  return out;
}

/** How sessions are rebuilt from documents. */
export interface SessionCodec {
  readonly serializer: SessionSerializer;
  readonly saveMode: SaveMode;
  readonly idGenerator: SessionIdGenerator;
  readonly indexResolver: IndexResolver<MapSession>;
}

/**
 * Rebuilds a loaded session (not new, nothing to save). `lastAccessedTime` overrides the stored
 * one (for reads that touch). Throws {@link CorruptSessionDataError} when an attribute cannot be
 * decoded, so bad data is never half-returned.
 */
export function sessionFromDocument(
  codec: SessionCodec,
  key: string,
  doc: SessionDocument,
  lastAccessedTime?: number,
): MapSession {
  let attributes: Map<string, unknown>;
  try {
    attributes = decodeAttributes(codec.serializer, doc);
  } catch (err) {
    throw new CorruptSessionDataError(
      key,
      `stored session has an unreadable attribute: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return new MapSession({
    id: key,
    creationTime: doc.creationTime,
    lastAccessedTime: lastAccessedTime ?? doc.lastAccessedTime,
    maxInactiveIntervalMs: doc.maxInactiveIntervalMs,
    attributes,
    isNew: false,
    saveMode: codec.saveMode,
    idGenerator: codec.idGenerator,
  });
}

/** Writes the index fields of `doc` from what `resolver` says about `session`. */
function applyIndexes(codec: SessionCodec, doc: SessionDocument, session: MapSession): void {
  const indexes = codec.indexResolver.resolveIndexesFor(session);
  doc.principal = undefined;
  doc.indexValues = undefined;
  const others: string[] = [];
  for (const [name, value] of Object.entries(indexes)) {
    if (typeof value !== 'string' || value.length === 0) continue;
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
  if (doc.movedFrom !== undefined) out.movedFrom = doc.movedFrom;
  return out;
}

/** The document of a session saved for the first time. */
export function newDocument(
  codec: SessionCodec,
  session: MapSession,
  encoded: ReadonlyMap<string, EncodedAttribute>,
): SessionDocument {
  const doc: SessionDocument = {
    id: session.id,
    creationTime: session.creationTime,
    lastAccessedTime: session.lastAccessedTime,
    maxInactiveIntervalMs: session.maxInactiveIntervalMs,
    attributes: dictionary<unknown>(undefined),
  };
  for (const [name, value] of encoded) putAttribute(doc, name, value);
  applyIndexes(codec, doc, session);
  return tidy(doc);
}

/**
 * Merges a delta into the stored document: only the attributes the delta sets or removes change,
 * so concurrent saves of different attributes all survive. `lastAccessedTime` never moves back
 * (a save never shortens a life a concurrent read extended). Indexes are recomputed over the
 * merged attributes when the delta touches attributes. `key` is where the merged copy will live.
 */
export function mergeDelta(
  codec: SessionCodec,
  key: string,
  stored: SessionDocument,
  delta: SessionDelta,
  encoded: ReadonlyMap<string, EncodedAttribute>,
): SessionDocument {
  const doc: SessionDocument = {
    ...stored,
    id: key,
    attributes: dictionary(stored.attributes),
    textAttributes: stored.textAttributes === undefined ? undefined : dictionary(stored.textAttributes),
    movedTo: undefined,
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
  if (delta.setAttributes.size > 0 || delta.removedAttributes.size > 0) {
    applyIndexes(codec, doc, mergedView(codec, key, doc, delta));
  }
  return tidy(doc);
}

/**
 * The merged attributes as a session, for the index resolver: the delta's own values as they are,
 * the rest decoded from the document (an attribute that fails to decode is left out).
 */
function mergedView(codec: SessionCodec, key: string, doc: SessionDocument, delta: SessionDelta): MapSession {
  const attributes = new Map<string, unknown>();
  const names = new Set([...Object.keys(doc.attributes), ...Object.keys(doc.textAttributes ?? {})]);
  for (const name of names) {
    if (delta.setAttributes.has(name)) {
      attributes.set(name, delta.setAttributes.get(name));
      continue;
    }
    try {
      attributes.set(name, decodeAttribute(codec.serializer, doc, name));
    } catch {
      // Unreadable attributes cannot index anything; the read path reports them.
    }
  }
  return new MapSession({
    id: key,
    creationTime: doc.creationTime,
    lastAccessedTime: doc.lastAccessedTime,
    maxInactiveIntervalMs: doc.maxInactiveIntervalMs,
    attributes,
    isNew: false,
    saveMode: codec.saveMode,
    idGenerator: codec.idGenerator,
  });
}

/** JSON text of a document. */
export function documentText(doc: SessionDocument): string {
  return JSON.stringify(doc);
}
