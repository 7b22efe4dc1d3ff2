/**
 * When session changes reach the store.
 * - `onSave`: only when `repository.save(session)` is called (the HTTP layer does that once
 *   per request). The default.
 * - `immediate`: every change is written as it happens; `save` then waits for those writes.
 */
export type FlushMode = 'onSave' | 'immediate';

/**
 * Which attributes a save writes, with Spring Session's meaning.
 * - `onSetAttribute`: only attributes passed to `set`/`delete`. The default.
 * - `onGetAttribute`: also every attribute that was read, so in-place mutations of read
 *   objects are saved.
 * - `always`: every attribute, on every save.
 */
export type SaveMode = 'onSetAttribute' | 'onGetAttribute' | 'always';

export const FLUSH_MODES: readonly FlushMode[] = ['onSave', 'immediate'];
export const SAVE_MODES: readonly SaveMode[] = ['onSetAttribute', 'onGetAttribute', 'always'];
