import type { RequestSessionController } from '../request-session.js';
import type { SessionChangeSource } from '../session-options.js';
import { AttributeWatch } from './attribute-watch.js';

/**
 * The per-request bookkeeping of a property-style session object (the express-session and
 * koa-session compatible ones), registered with the controller as its change source:
 * - in-place changes to watched values are recorded before every check and save ({@link watch});
 * - operations the app started without waiting for them (`regenerate`, `destroy`) hold the
 *   response and every save until they are done ({@link track});
 * - one deferred operation runs right before the next save (koa-session's `ctx.session = null`,
 *   which removes the session only when it is committed) ({@link defer}).
 */
export class CompatSessionTracker implements SessionChangeSource {
  /** The watch over object values read or written through the session object. */
  readonly watch: AttributeWatch;
  readonly #controller: RequestSessionController;
  readonly #pending = new Set<Promise<unknown>>();
  #deferred: (() => Promise<void>) | undefined;

  constructor(controller: RequestSessionController) {
    this.#controller = controller;
    this.watch = new AttributeWatch(controller.session, () => controller.requestAttention());
    controller.attachChangeSource(this);
  }

  /** Holds the response and saves until `work` has settled (its outcome is reported elsewhere). */
  track(work: Promise<unknown>): void {
    const settled = work.then(
      () => {},
      () => {},
    );
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
    this.#controller.requestAttention();
  }

  /** Runs `operation` right before the next save (replacing one deferred earlier); `undefined` cancels. */
  defer(operation: (() => Promise<void>) | undefined): void {
    this.#deferred = operation;
    if (operation !== undefined) this.#controller.requestAttention();
  }

  /** True while an operation is deferred. */
  get hasDeferred(): boolean {
    return this.#deferred !== undefined;
  }

  collectChanges(): boolean {
    this.watch.collect();
    return this.#pending.size > 0 || this.#deferred !== undefined;
  }

  async beforeSave(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
    const operation = this.#deferred;
    this.#deferred = undefined;
    if (operation !== undefined) await operation();
  }
}
