import { describe, expect, it } from 'vitest';
import { fileName } from './publish.js';

describe('a stored recording’s name', () => {
  it('says when it started on the project’s wall clock, and its room', () => {
    // 2026-12-08 08:05 UTC is 09:05 in Paris (winter), 03:05 in New York.
    const startedAt = Date.UTC(2026, 11, 8, 8, 5, 30);
    expect(fileName({ startedAt, roomId: 'reunion' }, 'Europe/Paris', true)).toBe('Enregistrement 2026-12-08 09h05 - reunion.webm');
    expect(fileName({ startedAt, roomId: 'reunion' }, 'America/New_York', false)).toBe('Enregistrement 2026-12-08 03h05 - reunion.opus');
    // Summer time (UTC+2): 22:00 UTC is midnight in Paris, so the date is the next day there.
    expect(fileName({ startedAt: Date.UTC(2027, 6, 1, 22, 0), roomId: 'r' }, 'Europe/Paris', true)).toBe('Enregistrement 2027-07-02 00h00 - r.webm');
  });
});
