import { describe, expect, it } from 'vitest';
import { CLIENT_MESSAGE_ID, compareMessageIds, newClientMessageId } from './messageIds';

describe('message ids', () => {
  it('makes client message ids the protocol accepts, different each time', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newClientMessageId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(CLIENT_MESSAGE_ID);
    expect(newClientMessageId((b) => b.fill(255))).toBe('_'.repeat(22));
  });

  it('orders stream ids numerically', () => {
    expect(compareMessageIds('9-0', '10-0')).toBe(-1);
    expect(compareMessageIds('10-2', '10-10')).toBe(-1);
    expect(compareMessageIds('10-10', '10-10')).toBe(0);
    expect(compareMessageIds('1700000000000-1', '999999999999-9')).toBe(1);
  });
});
