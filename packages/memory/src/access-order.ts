/** An item kept in access order; the list maintains the two links. */
export interface AccessOrdered {
  older: AccessOrdered | undefined;
  newer: AccessOrdered | undefined;
}

/**
 * Sessions from least to most recently accessed, as an intrusive doubly linked list: a touch and
 * a removal are O(1) with no allocation, and the least recent session is at hand for eviction.
 * (Re-inserting into a `Map` to keep order leaves a hole per touch, which the map pays for in
 * rehashing and in every walk from its start.)
 */
export class AccessOrder<T extends AccessOrdered> {
  #oldest: T | undefined;
  #newest: T | undefined;

  /** The least recently accessed item. */
  oldest(): T | undefined {
    return this.#oldest;
  }

  /** Adds `item` as the most recently accessed one. */
  add(item: T): void {
    item.older = this.#newest;
    item.newer = undefined;
    if (this.#newest === undefined) this.#oldest = item;
    else this.#newest.newer = item;
    this.#newest = item;
  }

  /** Moves `item` (already in the list) to the most recently accessed end. */
  touch(item: T): void {
    if (this.#newest === item) return;
    this.remove(item);
    this.add(item);
  }

  /** Takes `item` out of the list. */
  remove(item: T): void {
    const { older, newer } = item;
    if (older === undefined) this.#oldest = newer as T | undefined;
    else older.newer = newer;
    if (newer === undefined) this.#newest = older as T | undefined;
    else newer.older = older;
    item.older = undefined;
    item.newer = undefined;
  }
}
