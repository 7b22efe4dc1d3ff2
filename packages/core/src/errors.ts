/** Stable machine-readable codes carried by every error this library throws. */
export type SessionErrorCode =
  | 'SESSION_INVALID_ID'
  | 'SESSION_SERIALIZATION'
  | 'SESSION_STORE_UNAVAILABLE'
  | 'SESSION_STORE_NOT_INSTALLED'
  | 'SESSION_INVALID_CONFIG'
  | 'SESSION_INVALID_ARGUMENT'
  | 'SESSION_INVALIDATED'
  | 'SESSION_CORRUPT_DATA'
  | 'SESSION_SAVE_CONFLICT';

/** Base class of every error thrown by `@session/*` packages. Match on {@link SessionError.code}. */
export class SessionError extends Error {
  readonly code: SessionErrorCode;

  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A session id failed the id syntax check (see `isValidSessionId`). It never reached a store. */
export class InvalidSessionIdError extends SessionError {
  constructor(message = 'Malformed session id') {
    super('SESSION_INVALID_ID', message);
  }
}

/** An attribute value could not be serialized or deserialized. Names the attribute. */
export class SessionSerializationError extends SessionError {
  readonly attributeName: string | undefined;

  constructor(attributeName: string | undefined, message: string, options?: { cause?: unknown }) {
    super(
      'SESSION_SERIALIZATION',
      attributeName === undefined ? message : `Session attribute "${attributeName}": ${message}`,
      options,
    );
    this.attributeName = attributeName;
  }
}

/**
 * The backing store could not be reached or failed. HTTP integrations map it to 503 so a down
 * store never looks like a bug in the app. `retryable` is true for connection-level problems.
 */
export class SessionStoreUnavailableError extends SessionError {
  readonly status = 503;
  readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super('SESSION_STORE_UNAVAILABLE', message, options);
    this.retryable = options?.retryable ?? true;
  }
}

/** Config-driven loading named a store whose package is not installed. */
export class StoreNotInstalledError extends SessionError {
  readonly packageName: string;

  constructor(packageName: string, options?: { cause?: unknown }) {
    super(
      'SESSION_STORE_NOT_INSTALLED',
      `The session store package "${packageName}" is not installed. Install it with: npm install ${packageName}`,
      options,
    );
    this.packageName = packageName;
  }
}

/** A store configuration object or URL is not usable. */
export class InvalidStoreConfigError extends SessionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SESSION_INVALID_CONFIG', message, options);
  }
}

/** An option or argument has a value outside its documented range. */
export class InvalidArgumentError extends SessionError {
  constructor(message: string) {
    super('SESSION_INVALID_ARGUMENT', message);
  }
}

/** An operation needed a session that was deleted or expired meanwhile. */
export class SessionInvalidatedError extends SessionError {
  readonly sessionId: string;

  constructor(sessionId: string, message = 'The session was deleted or has expired') {
    super('SESSION_INVALIDATED', message);
    this.sessionId = sessionId;
  }
}

/** Stored session data is unreadable (missing required fields, undecodable attribute). */
export class CorruptSessionDataError extends SessionError {
  readonly sessionId: string;

  constructor(sessionId: string, message: string, options?: { cause?: unknown }) {
    super('SESSION_CORRUPT_DATA', message, options);
    this.sessionId = sessionId;
  }
}

/** True when `err` is one of this library's errors (optionally with a given code). */
export function isSessionError(err: unknown, code?: SessionErrorCode): err is SessionError {
  return err instanceof SessionError && (code === undefined || err.code === code);
}
