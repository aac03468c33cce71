import { describe, expect, it } from 'vitest';
import { errorCodeOf, isRetryable, toServerErrorCode } from './errors';
import { SignalingError } from './signaling/SignalingError';

describe('error codes', () => {
  it('keeps known server codes and turns unknown ones into INTERNAL', () => {
    expect(toServerErrorCode('ROOM_FULL')).toBe('ROOM_FULL');
    expect(toServerErrorCode('TIMEOUT')).toBe('INTERNAL'); // a client code is not a server one
    expect(toServerErrorCode('')).toBe('INTERNAL');
  });

  it('reads the code of a SignalingError, INTERNAL for anything else', () => {
    expect(errorCodeOf(new SignalingError('TIMEOUT', 'x'))).toBe('TIMEOUT');
    expect(errorCodeOf(new Error('boom'))).toBe('INTERNAL');
    expect(errorCodeOf({ code: 11 })).toBe('INTERNAL'); // a DOMException's numeric code
  });

  it('offers a retry only where one can help', () => {
    expect(isRetryable('CONNECTION_LOST')).toBe(true);
    expect(isRetryable('ROOM_FULL')).toBe(true);
    expect(isRetryable('TOKEN_EXPIRED')).toBe(false);
    expect(isRetryable('INVALID_LINK')).toBe(false);
  });
});
