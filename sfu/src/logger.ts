/**
 * The logging interface the SFU needs. pino's Logger satisfies it; the SFU
 * takes no dependency on a logging library of its own.
 */
import * as mediasoup from 'mediasoup';

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

/**
 * Routes mediasoup's own log lines into `log`: its Node library's and its
 * workers' (which arrive over the channel, e.g. `[pid:N] ... throwing
 * MediaSoupError`), warnings and errors at their own level; debug lines are
 * per packet and dropped. mediasoup holds one set of listeners per process:
 * the last call wins.
 */
export function routeMediasoupLogs(log: Logger): void {
  mediasoup.setLogEventListeners({
    onwarn: (namespace, text) => log.warn({ namespace }, text),
    onerror: (namespace, text, error) => log.error({ namespace, err: error }, text),
  });
}
