import { describe, expect, it } from 'vitest';
import { iceServersFor, turnCredential } from './credentials.js';

const SECRET = 'a-shared-secret-of-at-least-32-characters';
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0); // 1768478400 s

describe('turnCredential', () => {
  it('puts the expiry first, then the user id, as coturn expects', () => {
    const c = turnCredential(SECRET, 'u-lea', 3600, NOW);
    expect(c.expiresAt).toBe(1768478400 + 3600);
    expect(c.username).toBe('1768482000:u-lea');
  });

  it('signs the username with HMAC-SHA1 of the shared secret, base64', () => {
    // Computed independently:
    //   printf '%s' '1768482000:u-lea' | openssl dgst -sha1 -hmac 'a-shared-secret-of-at-least-32-characters' -binary | base64
    expect(turnCredential(SECRET, 'u-lea', 3600, NOW).credential).toBe('pSQBLBRgOPpndASk1DQ6a28BL+0=');
  });

  it('floors the clock to whole seconds and can produce an already expired credential', () => {
    expect(turnCredential(SECRET, 'u', 60, NOW + 999).expiresAt).toBe(1768478460);
    expect(turnCredential(SECRET, 'u', -60, NOW).expiresAt).toBeLessThan(NOW / 1000);
  });

  it('gives another password for another user or another secret', () => {
    const base = turnCredential(SECRET, 'u-lea', 3600, NOW).credential;
    expect(turnCredential(SECRET, 'u-max', 3600, NOW).credential).not.toBe(base);
    expect(turnCredential(SECRET + 'x', 'u-lea', 3600, NOW).credential).not.toBe(base);
  });
});

describe('iceServersFor', () => {
  it('is empty without TURN', () => {
    expect(iceServersFor(undefined, 'u-lea', NOW)).toEqual([]);
    expect(iceServersFor({ urls: [], secret: SECRET, credentialTtlS: 60 }, 'u-lea', NOW)).toEqual([]);
  });

  it('gives every URL with the user credential', () => {
    const urls = ['turn:turn.example.org:3478?transport=udp', 'turn:turn.example.org:3478?transport=tcp'];
    const servers = iceServersFor({ urls, secret: SECRET, credentialTtlS: 3600 }, 'u-lea', NOW);
    expect(servers).toEqual([{ urls, username: '1768482000:u-lea', credential: turnCredential(SECRET, 'u-lea', 3600, NOW).credential }]);
  });
});
