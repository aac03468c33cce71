import { describe, expect, it } from 'vitest';
import { TokenBucket } from './RateLimiter.js';

describe('TokenBucket', () => {
  it('allows a burst of two seconds worth, then the sustained rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, () => now);
    let allowed = 0;
    for (let i = 0; i < 50; i++) if (bucket.take()) allowed++;
    expect(allowed).toBe(20);
    now += 500; // half a second refills 5
    allowed = 0;
    for (let i = 0; i < 50; i++) if (bucket.take()) allowed++;
    expect(allowed).toBe(5);
    now += 60_000; // never more than the burst
    allowed = 0;
    for (let i = 0; i < 50; i++) if (bucket.take()) allowed++;
    expect(allowed).toBe(20);
  });
});
