import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact.js';

const CODE = 'Qm8xV2b1cT3zAbCdEfGhIjKl';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redactUrl', () => {
  it('replaces invitation codes in the link and its API, decoded as the router decodes them', () => {
    expect(redactUrl(`/i/${CODE}`)).toBe('/i/[redacted]');
    expect(redactUrl(`/api/invitations/${CODE}/accept`)).toBe('/api/invitations/[redacted]/accept');
    expect(redactUrl(`/api/%69nvitations/${CODE}`)).toBe('/api/invitations/[redacted]');
    expect(redactUrl(`/%69/${CODE}`)).toBe('/i/[redacted]');
    expect(redactUrl(`/api/invitations/%${CODE.slice(0, 2)}${CODE.slice(2)}`)).toBe('/api/invitations/[redacted]');
    expect(redactUrl(`//api//invitations/${CODE}`)).toBe('//api//invitations/[redacted]');
    expect(redactUrl(`/API/Invitations/${CODE}`)).toBe('/API/Invitations/[redacted]');
  });

  it("leaves a project's own invitation ids (not secrets) and other paths alone", () => {
    expect(redactUrl('/api/projects/p/invitations/abc')).toBe('/api/projects/p/invitations/abc');
    expect(redactUrl('/p/chantier-lyon/r/reunion')).toBe('/p/chantier-lyon/r/reunion');
    expect(redactUrl('/assets/index.js')).toBe('/assets/index.js');
  });

  it('replaces token-like query values, whatever their names’ case or encoding, and keeps the rest', () => {
    expect(redactUrl('/api/x?token=abc.def&limit=5')).toBe('/api/x?token=[redacted]&limit=5');
    expect(redactUrl('/p/x?ACCESS_TOKEN=abc')).toBe('/p/x?ACCESS_TOKEN=[redacted]');
    expect(redactUrl('/p/x?%74oken=abc&before=1-0')).toBe('/p/x?%74oken=[redacted]&before=1-0');
    expect(redactUrl(`/i/x?code=${CODE}`)).toBe('/i/[redacted]?code=[redacted]');
  });

  it('replaces anything shaped like a JWT, in the path or any query value, and a fragment', () => {
    expect(redactUrl(`/api/projects/${JWT}`)).toBe('/api/projects/[redacted]');
    expect(redactUrl(`/p/x?q=${JWT}`)).toBe('/p/x?q=[redacted]');
    expect(redactUrl(`/p/x#token=${JWT}`)).toBe('/p/x#[redacted]');
  });

  it('logs a segment that does not decode as such, not as sent', () => {
    expect(redactUrl(`/api/%zz${CODE}`)).toBe('/api/[undecodable]');
  });

  it("replaces the server's own secrets wherever they are", () => {
    const admin = 'admin-token-admin-token-admin-token-0123';
    expect(redactUrl(`/api/projects/${admin}?q=${admin}`, [admin])).toBe('/api/projects/[redacted]?q=[redacted]');
    expect(redactUrl(`/p/x?q=${encodeURIComponent('a b+' + admin)}`, ['a b+' + admin])).toBe('/p/x?q=[redacted]');
  });
});
