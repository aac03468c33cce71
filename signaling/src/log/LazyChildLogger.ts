/**
 * A child logger that pino makes only when it first writes a line at an
 * enabled level. Each WebSocket had three pino children (Fastify's per
 * request, the session's, the session's again after hello with its peer and
 * project): each one serialises and redacts its bindings when made (2.4 % of
 * a hello's CPU in its profile) and stays alive with the socket, for a socket
 * that at the production level (warn) usually never logs a line. A child of a
 * lazy child is lazy too, with the bindings of both.
 *
 * Used for the /ws route's request logger (plugins/ws.ts, Fastify's
 * `childLoggerFactory`): the session's loggers are children of it.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

interface LevelAware {
  isLevelEnabled?(level: string): boolean;
}

export class LazyChildLogger implements FastifyBaseLogger {
  #made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions | undefined,
  ) {}

  /** Whether the pino child exists yet (tests). */
  get made(): boolean {
    return this.#made !== undefined;
  }

  get level(): FastifyBaseLogger['level'] {
    return this.#made?.level ?? this.options?.level ?? this.parent.level;
  }

  set level(level: FastifyBaseLogger['level']) {
    this.#logger().level = level;
  }

  isLevelEnabled(level: string): boolean {
    const source = (this.#made ?? this.parent) as FastifyBaseLogger & LevelAware;
    // A logger that cannot say (not pino's): assume it writes.
    return source.isLevelEnabled?.(level) ?? true;
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.#write('error', args);
  }

  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }

  info(...args: unknown[]): void {
    this.#write('info', args);
  }

  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    if (this.#made) return this.#made.child(bindings, options);
    if (hasOptions(options) && hasOptions(this.options)) return this.#logger().child(bindings, options);
    return new LazyChildLogger(this.parent, { ...this.bindings, ...bindings }, hasOptions(options) ? options : this.options);
  }

  #write(level: Level, args: unknown[]): void {
    // A level of its own (options.level) is only known once made.
    if (!this.#made && !hasOptions(this.options) && !this.isLevelEnabled(level)) return;
    (this.#logger() as unknown as Record<Level, (...a: unknown[]) => void>)[level](...args);
  }

  #logger(): FastifyBaseLogger {
    return (this.#made ??= this.parent.child(this.bindings, this.options));
  }
}

function hasOptions(options: ChildLoggerOptions | undefined): options is ChildLoggerOptions {
  return options !== undefined && Object.keys(options).length > 0;
}

/** Fastify's `childLoggerFactory` that makes lazy children (route option). */
export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options);
}
