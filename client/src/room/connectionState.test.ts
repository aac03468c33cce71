import { describe, expect, it } from 'vitest';
import { worstConnection } from './connectionState';

describe('worstConnection', () => {
  it('shows the worse of two started transports', () => {
    expect(worstConnection('connected', 'connecting')).toBe('connecting');
    expect(worstConnection('failed', 'disconnected')).toBe('failed');
    expect(worstConnection('connected', 'connected')).toBe('connected');
  });

  it('ignores a transport that never started (nothing to send)', () => {
    expect(worstConnection('new', 'connected')).toBe('connected');
    expect(worstConnection('connecting', 'new')).toBe('connecting');
    expect(worstConnection('new', 'new')).toBe('new');
  });
});
