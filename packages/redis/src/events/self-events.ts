/** How long an expected echo of our own event is waited for. */
const ECHO_WINDOW_MS = 30_000;

/**
 * Events this instance caused (a save that created a session, a delete): it delivers them to its
 * own listeners at once, whatever the state of its subscription, and skips their echo when the
 * channel brings them back. Registered before the command is sent, so an echo that overtakes the
 * command's reply is still recognised.
 */
export class SelfEvents {
  readonly #expected = new Map<string, number>();

  /** Marks `id`'s event of `kind` (created, or destroyed for deleted and expired) as ours. */
  expect(kind: 'created' | 'destroyed', id: string, now: number): void {
    this.#prune(now);
    this.#expected.set(`${kind}:${id}`, now + ECHO_WINDOW_MS);
  }

  /** Drops an expectation whose command did not cause the event after all. */
  forget(kind: 'created' | 'destroyed', id: string): void {
    this.#expected.delete(`${kind}:${id}`);
  }

  /** True (once) when an arriving event is the echo of one of ours. */
  isEcho(kind: 'created' | 'destroyed', id: string, now: number): boolean {
    const key = `${kind}:${id}`;
    const until = this.#expected.get(key);
    if (until === undefined) return false;
    this.#expected.delete(key);
    return until > now;
  }

  #prune(now: number): void {
    for (const [key, until] of this.#expected) {
      if (until > now) return;
      this.#expected.delete(key);
    }
  }
}
