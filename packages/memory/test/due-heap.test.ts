import { describe, expect, it } from 'vitest';
import { DueHeap, type DueItem } from '../src/due-heap.js';

interface Item extends DueItem {
  name: number;
}

/** A small deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('DueHeap', () => {
  it('pops in due order through random inserts, moves and removals', () => {
    const random = prng(42);
    const heap = new DueHeap<Item>();
    const live = new Set<Item>();
    for (let step = 0; step < 5000; step++) {
      const roll = random();
      const items = [...live];
      if (roll < 0.5 || items.length === 0) {
        const item: Item = { name: step, dueAt: Math.floor(random() * 1000), heapIndex: -1 };
        heap.upsert(item);
        live.add(item);
      } else if (roll < 0.8) {
        const item = items[Math.floor(random() * items.length)] as Item;
        item.dueAt = Math.floor(random() * 1000);
        heap.upsert(item);
      } else {
        const item = items[Math.floor(random() * items.length)] as Item;
        heap.remove(item);
        expect(item.heapIndex).toBe(-1);
        live.delete(item);
      }
      expect(heap.size).toBe(live.size);
    }
    const expected = [...live].map((i) => i.dueAt).sort((a, b) => a - b);
    const popped: number[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) popped.push(item.dueAt);
    expect(popped).toEqual(expected);
  });

  it('removing an absent item is a no-op and clear() resets slots', () => {
    const heap = new DueHeap<Item>();
    const a: Item = { name: 1, dueAt: 5, heapIndex: -1 };
    heap.remove(a);
    heap.upsert(a);
    heap.upsert({ name: 2, dueAt: 1, heapIndex: -1 });
    expect(heap.peek()?.name).toBe(2);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(a.heapIndex).toBe(-1);
  });
});
