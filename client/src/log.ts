/**
 * The app's only door to the console. Levels follow the project's rule: info is
 * one line per lifecycle transition (connected, joined, left), never per
 * packet or message; debug is for that and is off unless asked for with
 * `localStorage.setItem('chantier.debug', '1')` or in the Vite dev server.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

function debugEnabled(): boolean {
  try {
    // Vitest runs in DEV mode too; its output should stay readable.
    if (import.meta.env?.DEV === true && import.meta.env.MODE !== 'test') return true;
    return globalThis.localStorage?.getItem('chantier.debug') === '1';
  } catch {
    // localStorage throws when storage is blocked (private modes, sandboxed frames).
    return false;
  }
}

const showDebug = debugEnabled();

function write(level: Level, scope: string, message: string, details: unknown[]): void {
  if (level === 'debug' && !showDebug) return;
  const line = `[chantier:${scope}] ${message}`;
  // The one place allowed to write to the console.
  console[level](line, ...details);
}

export function createLogger(scope: string): Logger {
  return {
    debug: (message, ...details) => write('debug', scope, message, details),
    info: (message, ...details) => write('info', scope, message, details),
    warn: (message, ...details) => write('warn', scope, message, details),
    error: (message, ...details) => write('error', scope, message, details),
  };
}
