/**
 * How long to wait before the project page's socket tries again: quickly at
 * first (a blip), then backing off so that a whole site team losing the
 * network does not hammer the server when it comes back. A random part
 * spreads them out.
 */
const STEPS_MS = [1_000, 2_000, 5_000, 10_000, 20_000, 30_000];

export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const base = STEPS_MS[Math.min(Math.max(attempt, 0), STEPS_MS.length - 1)] ?? 30_000;
  return Math.round(base * (0.8 + 0.4 * random()));
}
