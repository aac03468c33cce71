import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { LazyChildLogger } from './LazyChildLogger.js';

function logger(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const root = pino(
    { level, redact: { paths: ['token'], censor: '[redacted]' }, base: undefined, timestamp: false },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { root, lines, child: vi.spyOn(root, 'child') };
}

describe('LazyChildLogger', () => {
  it('makes no pino child while nothing is written at an enabled level', () => {
    const { root, lines, child } = logger('warn');
    const lazy = new LazyChildLogger(root, { conn: 'c1' }, {});
    const session = lazy.child({ peerId: 'p1' });
    session.info({ a: 1 }, 'not at warn');
    session.debug('nor this');
    lazy.trace('nor this');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    expect((session as LazyChildLogger).made).toBe(false);
    expect(session.level).toBe('warn');
  });

  it('writes with the bindings of every lazy ancestor, redacted, through one child', () => {
    const { root, lines, child } = logger('info');
    const lazy = new LazyChildLogger(root, { reqId: 'r1', token: 'secret' }, {});
    const session = lazy.child({ conn: 'c1' }).child({ peerId: 'p1', conn: 'c2' });
    session.info({ n: 1 }, 'first');
    session.warn('second %s', 'formatted');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([
      { level: 30, reqId: 'r1', token: '[redacted]', conn: 'c2', peerId: 'p1', n: 1, msg: 'first' },
      { level: 40, reqId: 'r1', token: '[redacted]', conn: 'c2', peerId: 'p1', msg: 'second formatted' },
    ]);
    // Once made, its children are pino's own.
    session.child({ extra: true }).error('third');
    expect(lines[2]).toMatchObject({ conn: 'c2', extra: true, msg: 'third' });
  });

  it('follows the level of its parent, and a level set on it', () => {
    const { root, lines } = logger('warn');
    const lazy = new LazyChildLogger(root, { conn: 'c1' }, {});
    root.level = 'debug';
    lazy.debug('now enabled');
    expect(lines).toHaveLength(1);
    lazy.level = 'error';
    lazy.warn('below its own level');
    expect(lines).toHaveLength(1);
    expect(lazy.isLevelEnabled('error')).toBe(true);
  });

  it('keeps child options (a level of its own) by making the child when it writes', () => {
    const { root, lines } = logger('warn');
    const lazy = new LazyChildLogger(root, { conn: 'c1' }, { level: 'debug' });
    expect(lazy.level).toBe('debug');
    lazy.debug('its own level');
    expect(lines).toEqual([{ level: 20, conn: 'c1', msg: 'its own level' }]);
  });
});
