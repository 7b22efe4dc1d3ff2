/** An item the heap orders by due time. The heap keeps `heapIndex` current (-1 when absent). */
export interface DueItem {
  dueAt: number;
  heapIndex: number;
}

/**
 * A binary min-heap on `dueAt` with in-place updates. Each item knows its slot, so moving a due
 * time (every touch moves it) or removing an item is O(log n), and the heap never holds stale
 * entries the way a lazily-deleted heap would under frequent touches.
 */
export class DueHeap<T extends DueItem> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** The item due first, without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds `item`, or repositions it when its `dueAt` changed. */
  upsert(item: T): void {
    if (item.heapIndex < 0) {
      item.heapIndex = this.#items.length;
      this.#items.push(item);
      this.#up(item.heapIndex);
      return;
    }
    this.#down(this.#up(item.heapIndex));
  }

  /** Removes `item` if present. */
  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    const last = this.#items.pop() as T;
    item.heapIndex = -1;
    if (i === this.#items.length) return;
    this.#items[i] = last;
    last.heapIndex = i;
    this.#down(this.#up(i));
  }

  /** Removes and returns the item due first. */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  clear(): void {
    for (const item of this.#items) item.heapIndex = -1;
    this.#items.length = 0;
  }

  #swap(i: number, j: number): void {
    const items = this.#items;
    const a = items[i] as T;
    const b = items[j] as T;
    items[i] = b;
    items[j] = a;
    b.heapIndex = i;
    a.heapIndex = j;
  }

  #up(start: number): number {
    const items = this.#items;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as T).dueAt <= (items[i] as T).dueAt) break;
      this.#swap(i, parent);
      i = parent;
    }
    return i;
  }

  #down(start: number): number {
    const items = this.#items;
    const n = items.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && (items[left] as T).dueAt < (items[smallest] as T).dueAt) smallest = left;
      if (right < n && (items[right] as T).dueAt < (items[smallest] as T).dueAt) smallest = right;
      if (smallest === i) return i;
      this.#swap(i, smallest);
      i = smallest;
    }
  }
}
