import {
  getPrincipalName,
  type IndexResolver,
  PRINCIPAL_NAME_INDEX_NAME,
  type Session,
  SPRING_SECURITY_CONTEXT,
} from '@session/core';

/** Options of {@link PassportIndexResolver}. */
export interface PassportIndexResolverOptions {
  /** Passport's session key (its `key` option). Default `passport`. */
  key?: string;
  /**
   * The principal name of what `serializeUser` stored (`session.passport.user`). Default: the
   * value itself when it is a non-empty string or a finite number, else none.
   */
  principalOf?: (user: unknown) => string | undefined;
}

function defaultPrincipal(user: unknown): string | undefined {
  if (typeof user === 'string' && user.length > 0) return user;
  if (typeof user === 'number' && Number.isFinite(user)) return String(user);
  return undefined;
}

/**
 * Indexes sessions of Passport apps by user, with no change to the app: the principal name is
 * what Passport's `serializeUser` stored under `session.passport.user` (or a name set with
 * `setPrincipal`, which wins). Give it to an indexed repository and `findByPrincipalName(user)`
 * lists the user's sessions:
 *
 * ```ts
 * new RedisIndexedSessionRepository({ client, indexResolver: new PassportIndexResolver() });
 * ```
 */
export class PassportIndexResolver<S extends Session = Session> implements IndexResolver<S> {
  /** The attributes it reads: Passport's key and the explicit principal attributes. */
  readonly attributes: readonly string[];
  readonly #key: string;
  readonly #principalOf: (user: unknown) => string | undefined;

  constructor(options: PassportIndexResolverOptions = {}) {
    this.#key = options.key ?? 'passport';
    this.#principalOf = options.principalOf ?? defaultPrincipal;
    this.attributes = [this.#key, PRINCIPAL_NAME_INDEX_NAME, SPRING_SECURITY_CONTEXT];
  }

  resolveIndexesFor(session: S): Record<string, string> {
    const explicit = getPrincipalName(session);
    if (explicit !== undefined) return { [PRINCIPAL_NAME_INDEX_NAME]: explicit };
    const peek = (session as { peek?: (name: string) => unknown }).peek;
    const data =
      typeof peek === 'function'
        ? peek.call(session, this.#key)
        : (session as Session<Record<string, unknown>>).get(this.#key);
    const user = data !== null && typeof data === 'object' ? (data as { user?: unknown }).user : undefined;
    const name = user === undefined ? undefined : this.#principalOf(user);
    return typeof name === 'string' && name.length > 0 ? { [PRINCIPAL_NAME_INDEX_NAME]: name } : {};
  }
}
