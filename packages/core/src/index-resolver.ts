import { InvalidArgumentError } from './errors.js';
import type { Session } from './session.js';

/**
 * The index name under which sessions are found by principal (user) name. The same string as
 * Spring Session's `FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME`, so sessions
 * shared with a Java service index the same way. It is also the attribute that holds the name.
 */
export const PRINCIPAL_NAME_INDEX_NAME =
  'org.springframework.session.FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME';

/** Spring Security's attribute holding the security context. Read for interop only. */
export const SPRING_SECURITY_CONTEXT = 'SPRING_SECURITY_CONTEXT';

/** Computes the index values of a session: `{ indexName: value }`. Stores keep these indexes. */
export interface IndexResolver<S extends Session = Session> {
  resolveIndexesFor(session: S): Record<string, string>;
  /**
   * The attributes `resolveIndexesFor` reads, when it reads only those. Stores then skip resolving
   * on saves that change none of them, and decode only these stored attributes to resolve the
   * indexes of a session merged from the store and a save. Leave it out when unsure: stores then
   * resolve on every save that changes an attribute, over every attribute.
   */
  readonly attributes?: readonly string[];
}

/** Reads an attribute without counting as a read for `saveMode: 'onGetAttribute'` where possible. */
function peekAttribute(session: Session, name: string): unknown {
  const peek = (session as { peek?: (n: string) => unknown }).peek;
  return typeof peek === 'function'
    ? peek.call(session, name)
    : (session as Session<Record<string, unknown>>).get(name);
}

/** Reads the principal name of a session, or `undefined` when it has none. */
export function getPrincipalName(session: Session): string | undefined {
  const read = (name: string): unknown => peekAttribute(session, name);
  const explicit = read(PRINCIPAL_NAME_INDEX_NAME);
  if (typeof explicit === 'string' && explicit.length > 0) return explicit;
  // A session written by Spring Security with a JSON serializer carries the name in its context.
  const context = read(SPRING_SECURITY_CONTEXT) as { authentication?: unknown } | null | undefined;
  return authenticationName(
    typeof context === 'object' && context !== null ? context.authentication : undefined,
  );
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Spring's `Authentication.getName()` on JSON: Jackson writes the token's fields, not `name`, so
 * the name is the principal itself (a string) or its `username` (UserDetails) or `name`.
 */
function authenticationName(auth: unknown): string | undefined {
  if (typeof auth !== 'object' || auth === null) return undefined;
  const { name, principal } = auth as { name?: unknown; principal?: unknown };
  const explicit = nonEmptyString(name) ?? nonEmptyString(principal);
  if (explicit !== undefined || typeof principal !== 'object' || principal === null) return explicit;
  const p = principal as { username?: unknown; name?: unknown };
  return nonEmptyString(p.username) ?? nonEmptyString(p.name);
}

/** Sets the principal name (or clears it with `undefined`) on a session. */
export function setPrincipalName(session: Session, principal: string | undefined): void {
  (session as Session<Record<string, unknown>>).set(PRINCIPAL_NAME_INDEX_NAME, principal);
}

/** Indexes the principal name under {@link PRINCIPAL_NAME_INDEX_NAME}. The default resolver. */
export class PrincipalNameIndexResolver<S extends Session = Session> implements IndexResolver<S> {
  readonly attributes: readonly string[] = [PRINCIPAL_NAME_INDEX_NAME, SPRING_SECURITY_CONTEXT];

  resolveIndexesFor(session: S): Record<string, string> {
    const principal = getPrincipalName(session);
    return principal === undefined ? {} : { [PRINCIPAL_NAME_INDEX_NAME]: principal };
  }
}

/** Indexes one attribute, holding a string, under an index of the same (or a given) name. */
export class AttributeIndexResolver<S extends Session = Session> implements IndexResolver<S> {
  readonly #attribute: string;
  readonly #indexName: string;
  readonly attributes: readonly string[];

  constructor(attribute: string, indexName: string = attribute) {
    if (typeof attribute !== 'string' || attribute.length === 0) {
      throw new InvalidArgumentError('AttributeIndexResolver needs a non-empty attribute name');
    }
    if (typeof indexName !== 'string' || indexName.length === 0) {
      throw new InvalidArgumentError('AttributeIndexResolver needs a non-empty index name');
    }
    this.#attribute = attribute;
    this.#indexName = indexName;
    this.attributes = [attribute];
  }

  resolveIndexesFor(session: S): Record<string, string> {
    const value = peekAttribute(session, this.#attribute);
    return typeof value === 'string' && value.length > 0 ? { [this.#indexName]: value } : {};
  }
}

/** Merges the indexes of several resolvers; later resolvers win on the same index name. */
export class DelegatingIndexResolver<S extends Session = Session> implements IndexResolver<S> {
  readonly #resolvers: readonly IndexResolver<S>[];
  readonly attributes: readonly string[] | undefined;

  constructor(...resolvers: IndexResolver<S>[]) {
    this.#resolvers = resolvers;
    // Known only when every resolver says what it reads.
    this.attributes = resolvers.every((r) => Array.isArray(r.attributes))
      ? [...new Set(resolvers.flatMap((r) => r.attributes as readonly string[]))]
      : undefined;
  }

  resolveIndexesFor(session: S): Record<string, string> {
    const out: Record<string, string> = {};
    for (const resolver of this.#resolvers) Object.assign(out, resolver.resolveIndexesFor(session));
    return out;
  }
}
