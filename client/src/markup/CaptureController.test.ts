import { describe, expect, it } from 'vitest';
import { captureFileName } from './CaptureController';

describe('capture file names', () => {
  it('names a capture after who shared and when, in plain ASCII', () => {
    const time = new Date(2026, 11, 6, 9, 42).getTime();
    expect(captureFileName('Léa Martin (BET Fluides)', time)).toBe('capture-lea-martin-bet-fluides-2026-12-06-0942.png');
    expect(captureFileName('??', time)).toBe('capture-ecran-2026-12-06-0942.png');
  });
});
