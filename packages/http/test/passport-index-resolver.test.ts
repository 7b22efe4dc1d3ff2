import { MapSession, PRINCIPAL_NAME_INDEX_NAME } from '@session/core';
import { describe, expect, it } from 'vitest';
import { PassportIndexResolver } from '../src/index.js';

const sessionWith = (attributes: Record<string, unknown>) => {
  const session = new MapSession();
  for (const [name, value] of Object.entries(attributes)) session.set(name, value);
  return session;
};

describe('PassportIndexResolver', () => {
  it('indexes the user Passport serialized, by the principal index name', () => {
    const resolver = new PassportIndexResolver();
    expect(resolver.resolveIndexesFor(sessionWith({ passport: { user: 'alice' } }))).toEqual({
      [PRINCIPAL_NAME_INDEX_NAME]: 'alice',
    });
    expect(resolver.resolveIndexesFor(sessionWith({ passport: { user: 42 } }))).toEqual({
      [PRINCIPAL_NAME_INDEX_NAME]: '42',
    });
    expect(resolver.attributes).toContain('passport');
  });

  it('nothing for sessions without a login, or a user that is not a name', () => {
    const resolver = new PassportIndexResolver();
    expect(resolver.resolveIndexesFor(sessionWith({}))).toEqual({});
    expect(resolver.resolveIndexesFor(sessionWith({ passport: {} }))).toEqual({});
    expect(resolver.resolveIndexesFor(sessionWith({ passport: { user: { id: 1 } } }))).toEqual({});
  });

  it('an explicit principal wins; principalOf and key adapt it to the app', () => {
    const resolver = new PassportIndexResolver({
      key: 'auth',
      principalOf: (user) => (user as { id: string }).id,
    });
    expect(resolver.resolveIndexesFor(sessionWith({ auth: { user: { id: 'u1' } } }))).toEqual({
      [PRINCIPAL_NAME_INDEX_NAME]: 'u1',
    });
    expect(
      resolver.resolveIndexesFor(
        sessionWith({ auth: { user: { id: 'u1' } }, [PRINCIPAL_NAME_INDEX_NAME]: 'bob' }),
      ),
    ).toEqual({ [PRINCIPAL_NAME_INDEX_NAME]: 'bob' });
  });
});
