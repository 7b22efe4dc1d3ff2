import { IdChangeTrail } from '@session/core';
import { KeyedLock } from './keyed-lock.js';

/**
 * What every repository wrapping one store object in this process shares: the per-id lock that
 * serializes its saves and deletes, and the record of recent id changes. Nothing is shared with
 * other processes: an express-session store has no place to keep either.
 */
export interface StoreCoordination {
  readonly lock: KeyedLock;
  readonly trail: IdChangeTrail;
}

const coordination = new WeakMap<object, StoreCoordination>();

/** The process-wide coordination of `store`, created on first use. */
export function coordinationFor(store: object): StoreCoordination {
  let shared = coordination.get(store);
  if (shared === undefined) {
    shared = { lock: new KeyedLock(), trail: new IdChangeTrail() };
    coordination.set(store, shared);
  }
  return shared;
}
