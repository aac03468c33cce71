import { describe, expect, it } from 'vitest';
import { Notifications } from './messages.js';
import { NOTIFICATION_TYPES } from './notificationTypes.js';

describe('NOTIFICATION_TYPES', () => {
  it('lists exactly the notifications of the protocol, once each', () => {
    expect([...NOTIFICATION_TYPES].sort()).toEqual(Object.keys(Notifications).sort());
    expect(new Set(NOTIFICATION_TYPES).size).toBe(NOTIFICATION_TYPES.length);
  });
});
