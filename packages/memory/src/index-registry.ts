import type { IndexValues } from '@session/core';

/** The store's secondary indexes: index name → value → ids of sessions with that value. */
export class IndexRegistry {
  readonly #byName = new Map<string, Map<string, Set<string>>>();

  /** Ids under `name` = `value` (live view; copy before changing the store while iterating). */
  find(name: string, value: string): ReadonlySet<string> | undefined {
    return this.#byName.get(name)?.get(value);
  }

  add(id: string, indexes: IndexValues): void {
    for (const name in indexes) {
      const value = indexes[name] as string;
      let values = this.#byName.get(name);
      if (values === undefined) {
        values = new Map();
        this.#byName.set(name, values);
      }
      let ids = values.get(value);
      if (ids === undefined) {
        ids = new Set();
        values.set(value, ids);
      }
      ids.add(id);
    }
  }

  remove(id: string, indexes: IndexValues): void {
    for (const name in indexes) {
      const values = this.#byName.get(name);
      const value = indexes[name] as string;
      const ids = values?.get(value);
      if (ids === undefined) continue;
      ids.delete(id);
      // Empty sets are dropped so memory follows the number of live entries.
      if (ids.size === 0) {
        values?.delete(value);
        if (values?.size === 0) this.#byName.delete(name);
      }
    }
  }

  /** Moves a session's entries from `oldIndexes` to `newIndexes` (also used for id changes). */
  replace(oldId: string, oldIndexes: IndexValues, newId: string, newIndexes: IndexValues): void {
    this.remove(oldId, oldIndexes);
    this.add(newId, newIndexes);
  }
}
