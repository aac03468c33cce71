/**
 * The logging interface the SFU needs. pino's Logger satisfies it; the SFU
 * takes no dependency on a logging library of its own.
 */
export interface Logger {
  child(bindings: Record<string, unknown>): Logger;
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** For tests that do not care about logs. */
export const silentLogger: Logger = {
  child: () => silentLogger,
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
