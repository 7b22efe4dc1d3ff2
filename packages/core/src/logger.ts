/** The logging surface stores and integrations use. Compatible with `console`, pino and winston. */
export interface SessionLogger {
  debug(message: string, ...meta: unknown[]): void;
  info(message: string, ...meta: unknown[]): void;
  warn(message: string, ...meta: unknown[]): void;
  error(message: string, ...meta: unknown[]): void;
}

/** Drops everything. */
export const silentLogger: SessionLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** The default: warnings and errors to the console, prefixed; debug and info dropped. */
export const consoleLogger: SessionLogger = {
  debug() {},
  info() {},
  warn(message, ...meta) {
    console.warn(`[session] ${message}`, ...meta);
  },
  error(message, ...meta) {
    console.error(`[session] ${message}`, ...meta);
  },
};
