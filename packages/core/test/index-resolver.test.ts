import { describe, expect, it } from 'vitest';
import {
  AttributeIndexResolver,
  DelegatingIndexResolver,
  getPrincipalName,
  type IndexResolver,
  InvalidArgumentError,
  MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  PrincipalNameIndexResolver,
  type Session,
  SPRING_SECURITY_CONTEXT,
  setPrincipalName,
} from '../src/index.js';

const loaded = (
  attributes: Record<string, unknown>,
  saveMode: 'onSetAttribute' | 'onGetAttribute' = 'onSetAttribute',
) => new MapSession({ id: 'indexed-session-id-01', isNew: false, attributes, saveMode });

describe('principal name', () => {
  it("uses Spring Session's index name, which is also the attribute", () => {
    expect(PRINCIPAL_NAME_INDEX_NAME).toBe(
      'org.springframework.session.FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME',
    );
  });

  it('is read from the principal attribute', () => {
    expect(getPrincipalName(loaded({ [PRINCIPAL_NAME_INDEX_NAME]: 'alice' }))).toBe('alice');
  });

  it('is absent when the attribute is missing, empty or not a string', () => {
    expect(getPrincipalName(loaded({}))).toBeUndefined();
    expect(getPrincipalName(loaded({ [PRINCIPAL_NAME_INDEX_NAME]: '' }))).toBeUndefined();
    expect(getPrincipalName(loaded({ [PRINCIPAL_NAME_INDEX_NAME]: 42 }))).toBeUndefined();
    expect(getPrincipalName(loaded({ [SPRING_SECURITY_CONTEXT]: null }))).toBeUndefined();
    expect(getPrincipalName(loaded({ [SPRING_SECURITY_CONTEXT]: 'not an object' }))).toBeUndefined();
    expect(getPrincipalName(loaded({ [SPRING_SECURITY_CONTEXT]: { authentication: null } }))).toBeUndefined();
  });

  it("is read from a Spring Security context's authentication name", () => {
    const context = { authentication: { name: 'bob', authenticated: true } };
    expect(getPrincipalName(loaded({ [SPRING_SECURITY_CONTEXT]: context }))).toBe('bob');
  });

  it('is read from a Spring Security context as Jackson writes it (principal object or string)', () => {
    // Jackson's Spring Security mixins write the token's fields: the name lives in the principal.
    const userDetails = {
      '@class': 'org.springframework.security.core.context.SecurityContextImpl',
      authentication: {
        '@class': 'org.springframework.security.authentication.UsernamePasswordAuthenticationToken',
        authorities: ['java.util.Collections$UnmodifiableRandomAccessList', []],
        details: null,
        authenticated: true,
        principal: { '@class': 'org.springframework.security.core.userdetails.User', username: 'carol' },
        credentials: null,
      },
    };
    expect(getPrincipalName(loaded({ [SPRING_SECURITY_CONTEXT]: userDetails }))).toBe('carol');
    const stringPrincipal = { authentication: { principal: 'dave', authenticated: true } };
    expect(getPrincipalName(loaded({ [SPRING_SECURITY_CONTEXT]: stringPrincipal }))).toBe('dave');
  });

  it('prefers the explicit attribute over the security context', () => {
    const session = loaded({
      [PRINCIPAL_NAME_INDEX_NAME]: 'explicit',
      [SPRING_SECURITY_CONTEXT]: { authentication: { name: 'context' } },
    });
    expect(getPrincipalName(session)).toBe('explicit');
  });

  it('setPrincipalName sets and clears the attribute', () => {
    const session = loaded({});
    setPrincipalName(session, 'erin');
    expect(session.get(PRINCIPAL_NAME_INDEX_NAME)).toBe('erin');
    expect(Object.fromEntries(session.getDelta().setAttributes)).toEqual({
      [PRINCIPAL_NAME_INDEX_NAME]: 'erin',
    });
    setPrincipalName(session, undefined);
    expect(session.names()).toEqual([]);
    expect([...session.getDelta().removedAttributes]).toEqual([PRINCIPAL_NAME_INDEX_NAME]);
  });
});

describe('index resolvers', () => {
  it('PrincipalNameIndexResolver indexes the principal, or nothing', () => {
    const resolver = new PrincipalNameIndexResolver();
    expect(resolver.resolveIndexesFor(loaded({ [PRINCIPAL_NAME_INDEX_NAME]: 'alice' }))).toEqual({
      [PRINCIPAL_NAME_INDEX_NAME]: 'alice',
    });
    expect(resolver.resolveIndexesFor(loaded({ other: 'x' }))).toEqual({});
  });

  it('AttributeIndexResolver indexes one string attribute under its own or a given name', () => {
    const session = loaded({ tenant: 'acme', count: 3, empty: '' });
    expect(new AttributeIndexResolver('tenant').resolveIndexesFor(session)).toEqual({ tenant: 'acme' });
    expect(new AttributeIndexResolver('tenant', 'byTenant').resolveIndexesFor(session)).toEqual({
      byTenant: 'acme',
    });
    expect(new AttributeIndexResolver('count').resolveIndexesFor(session)).toEqual({});
    expect(new AttributeIndexResolver('empty').resolveIndexesFor(session)).toEqual({});
    expect(new AttributeIndexResolver('absent').resolveIndexesFor(session)).toEqual({});
  });

  it('AttributeIndexResolver rejects empty names', () => {
    expect(() => new AttributeIndexResolver('')).toThrow(InvalidArgumentError);
    expect(() => new AttributeIndexResolver('a', '')).toThrow(InvalidArgumentError);
  });

  it('DelegatingIndexResolver merges, later resolvers winning', () => {
    const session = loaded({ [PRINCIPAL_NAME_INDEX_NAME]: 'alice', tenant: 'acme', region: 'eu' });
    const fixed: IndexResolver = { resolveIndexesFor: () => ({ tenant: 'override' }) };
    const resolver = new DelegatingIndexResolver(
      new PrincipalNameIndexResolver(),
      new AttributeIndexResolver('tenant'),
      new AttributeIndexResolver('region'),
      fixed,
    );
    expect(resolver.resolveIndexesFor(session)).toEqual({
      [PRINCIPAL_NAME_INDEX_NAME]: 'alice',
      tenant: 'override',
      region: 'eu',
    });
    expect(new DelegatingIndexResolver().resolveIndexesFor(session)).toEqual({});
  });

  it('resolving indexes does not count as reading in onGetAttribute mode', () => {
    const session = loaded(
      {
        [PRINCIPAL_NAME_INDEX_NAME]: 'alice',
        [SPRING_SECURITY_CONTEXT]: { authentication: { name: 'x' } },
        tenant: 'acme',
      },
      'onGetAttribute',
    );
    new DelegatingIndexResolver(
      new PrincipalNameIndexResolver(),
      new AttributeIndexResolver('tenant'),
    ).resolveIndexesFor(session);
    getPrincipalName(
      loaded({ [SPRING_SECURITY_CONTEXT]: { authentication: { name: 'x' } } }, 'onGetAttribute'),
    );
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('works on a Session that is not a MapSession', () => {
    const attributes = new Map<string, unknown>([[PRINCIPAL_NAME_INDEX_NAME, 'frank']]);
    const session = {
      get: (name: string) => attributes.get(name),
    } as unknown as Session;
    expect(new PrincipalNameIndexResolver().resolveIndexesFor(session)).toEqual({
      [PRINCIPAL_NAME_INDEX_NAME]: 'frank',
    });
  });
});
