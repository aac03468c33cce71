/**
 * No invitation code, access token or resume secret in any log line, at
 * trace level, whatever shape the request takes: percent-encoded paths,
 * paths no route serves, wrong methods, undecodable paths, query strings,
 * tokens where a path segment belongs, multipart uploads (the parser's
 * trace output), the WebSocket's upgrade, a resumed session, and HTTP the
 * parser refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../../test/app.js';
import { deviceRtpCapabilities } from '../../test/fakeMedia.js';
import { captureLog, type CapturedLog } from '../../test/logCapture.js';
import { rawHttp } from '../../test/rawHttp.js';
import { TestClient } from '../../test/TestClient.js';
import { minimalPdf } from './documents/fixtures.js';
import { PROTOCOL_VERSION } from './protocol/index.js';

const PROJECT = 'p1';
let t: TestApp;
let log: CapturedLog;

beforeAll(async () => {
  log = captureLog();
  t = await startTestApp({ LOG_LEVEL: 'trace' }, undefined, { logStream: log.stream });
});
afterAll(async () => {
  await t?.close();
});

describe('secrets never logged', () => {
  it('writes no invitation code, token or resume secret in any log line at trace level', async () => {
    const secrets: string[] = [];
    const owner = await t.token({ projectId: PROJECT, role: 'owner', userId: 'u-owner' });
    secrets.push(owner);
    const authorization = `Bearer ${owner}`;
    const created = await fetch(`${t.url}/api/projects/${PROJECT}/invitations`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'guest', expiresInS: 600 }),
    });
    expect(created.status).toBe(201);
    const { code } = (await created.json()) as { code: string };
    secrets.push(code);

    // The invitation's code, in every shape a path can take.
    const paths = [
      `/api/%69nvitations/${code}`,
      `/api/invitations/%${code.charCodeAt(0).toString(16)}${code.slice(1)}`,
      `/api/invitations/${code}/nope`,
      `//api/invitations/${code}`,
      `/API/Invitations/${code}`,
      `/api/invitations/${code}%zz`,
      `/%69/${code}`,
      `/i/${code}?from=mail`,
      `/nope?code=${code}`,
      `/api/projects/${PROJECT}/chat?token=${owner}`,
      `/api/projects/${owner}`,
      `/nope/${owner}`,
    ];
    for (const path of paths) {
      const r = await t.app.inject({ method: 'GET', url: path, headers: { authorization } });
      expect(r.statusCode, path).toBeLessThan(500);
    }
    expect((await t.app.inject({ method: 'DELETE', url: `/api/invitations/${code}` })).statusCode).toBe(405);
    expect((await t.app.inject({ method: 'POST', url: `/api/invitations/${code}/accept`, payload: { displayName: 'Log' } })).statusCode).toBe(200);

    // An upload: @fastify/multipart traces busboy's options, request headers included.
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(minimalPdf('secrets'))]), 'plan.pdf');
    expect((await fetch(`${t.url}/api/projects/${PROJECT}/documents`, { method: 'POST', headers: { authorization }, body: form })).status).toBe(201);
    const broken = await fetch(`${t.url}/api/projects/${PROJECT}/documents`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'multipart/form-data' },
      body: 'no boundary here',
    });
    expect(broken.status).toBe(400);

    // The WebSocket: an upgrade with a token in its query, a meeting, its session taken back with its resume secret.
    const upgraded = new WebSocket(`${t.url.replace(/^http/, 'ws')}/ws?token=${owner}`);
    await new Promise<void>((resolve, reject) => {
      upgraded.once('open', () => resolve());
      upgraded.once('error', reject);
    });
    upgraded.close();
    const member = await t.token({ projectId: PROJECT, userId: 'u-member' });
    secrets.push(member);
    const first = await TestClient.connect(t.url);
    const hello = await first.request('hello', { protocol: PROTOCOL_VERSION, token: member, projectId: PROJECT, roomId: 'salle' });
    await first.request('join', { rtpCapabilities: deviceRtpCapabilities(hello.routerRtpCapabilities!) });
    const secret = hello.resumeSecret!;
    expect(secret).toEqual(expect.any(String));
    secrets.push(secret);
    first.ws.terminate();
    const second = await TestClient.connect(t.url);
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await second.request('hello', { protocol: PROTOCOL_VERSION, token: member, projectId: PROJECT, roomId: 'salle', resume: { peerId: hello.peerId, secret, lastSeq: 0 } });
        break;
      } catch (error) {
        // Until the server has seen the first socket go.
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    second.ws.close();

    // HTTP the parser refuses, with a token in its headers.
    await rawHttp(t.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${owner}\r\nBad Header\r\n\r\n`);

    const text = log.text();
    // The log did record these requests (so that the assertions below mean something)...
    expect(text).toContain('/api/invitations/[redacted]');
    expect(text).toContain('/i/[redacted]');
    expect(text).toContain('route not found');
    expect(text).toContain('session resumed');
    expect(text).toContain('Providing options to busboy');
    expect(text).toContain('client error');
    // ...and none of the secrets, nor the signed parts of the tokens.
    for (const s of secrets) {
      for (const part of [s, ...s.split('.').slice(1).filter((p) => p.length >= 16)]) expect(text).not.toContain(part);
    }
  });
});
