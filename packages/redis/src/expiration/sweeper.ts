import type { SessionLogger } from '@session/core';

/**
 * Runs a sweep every `intervalMs` (and on {@link wake}), one at a time: a wake-up during a run
 * schedules exactly one more run. The timer never keeps the process alive.
 */
export class Sweeper {
  readonly #sweep: () => Promise<void>;
  readonly #intervalMs: number;
  readonly #logger: SessionLogger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(sweep: () => Promise<void>, intervalMs: number, logger: SessionLogger) {
    this.#sweep = sweep;
    this.#intervalMs = intervalMs;
    this.#logger = logger;
  }

  start(): void {
    if (this.#intervalMs <= 0 || this.#timer !== undefined || this.#stopped) return;
    this.#timer = setInterval(() => this.wake(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Sweeps now (or right after the current run). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#run();
  }

  /** Resolves when no sweep is running. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  /** True once {@link stop} was called: a running sweep ends after its current step. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Stops the timer and waits for a running sweep, at most `maxWaitMs`: a sweep stuck on an
   * unreachable server (its client retrying forever) must not keep `close()` from returning.
   */
  async stop(maxWaitMs = 1000): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxWaitMs);
    });
    try {
      await Promise.race([this.idle(), gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #run(): Promise<void> {
    try {
      do {
        this.#again = false;
        try {
          await this.#sweep();
        } catch (err) {
          if (!this.#stopped)
            this.#logger.warn('session expiry sweep failed; retrying on the next tick', err);
        }
      } while (this.#again && !this.#stopped);
    } finally {
      this.#running = undefined;
    }
  }
}
