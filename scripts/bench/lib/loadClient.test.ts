import { describe, expect, it } from 'vitest';
import { ChantierListener, jsonValueAt, joinCapabilities, LoadClient, RequestError } from './loadClient.js';

const spec = { userId: 'u', displayName: 'U', projectId: 'p', roomId: 'r', token: 't', janusRoom: 1 };

describe('loadClient: answers read only as far as needed', () => {
  it('finds a JSON value by its brackets, strings with brackets and escapes included', () => {
    const text = '{"a":{"b":["}",{"c":"\\"]"}],"d":1},"e":2}';
    const buf = Buffer.from(text);
    expect(jsonValueAt(buf, text.indexOf('{"b"'))).toBe('{"b":["}",{"c":"\\"]"}],"d":1}');
    expect(jsonValueAt(Buffer.from('{"unterminated":['), 0)).toBeNull();
  });

  it("makes the join's capabilities from the router's, parsing each distinct value once", () => {
    const router = { codecs: [{ mimeType: 'audio/opus', clockRate: 48000 }], headerExtensions: [{ uri: 'x', id: 1 }], other: true };
    const answer = Buffer.from(JSON.stringify({ kind: 'res', id: 1, ok: true, data: { presence: [{ name: '{[' }], routerRtpCapabilities: router } }));
    const cache = new Map<string, string>();
    const json = joinCapabilities(answer, cache);
    expect(JSON.parse(json!)).toEqual({ codecs: router.codecs, headerExtensions: router.headerExtensions });
    expect(cache.size).toBe(1);
    expect(joinCapabilities(Buffer.from(answer), cache)).toBe(json);
    expect(cache.size).toBe(1);
    expect(joinCapabilities(Buffer.from('{"kind":"res","id":1,"ok":true,"data":{}}'), cache)).toBeNull();
  });

  it('matches answers to requests by id, ok or with their error code, and counts notifications by type', async () => {
    const client = new LoadClient(spec);
    // As if open: requests are tracked without a socket by settling them directly through the listener.
    const listener = new ChantierListener();
    const waiting = [1, 2, 12].map((id) => new Promise<Buffer>((resolve, reject) => client.pending.set(id, { resolve, reject, deadline: Infinity })));
    listener.message(client, Buffer.from('{"kind":"ntf","type":"presence","data":{}}'));
    listener.message(client, Buffer.from('{"kind":"res","id":12,"ok":true,"data":{"x":1}}'));
    listener.message(client, Buffer.from('{"kind":"res","id":2,"ok":false,"error":{"code":"RATE_LIMITED","message":"m"}}'));
    listener.message(client, Buffer.from('{"kind":"res","id":1,"ok":true}'));
    expect((await waiting[2]!).toString()).toContain('"x":1');
    await expect(waiting[1]).rejects.toEqual(new RequestError('RATE_LIMITED'));
    await expect(waiting[0]).resolves.toBeInstanceOf(Buffer);
    expect(listener.traffic.frames).toBe(4);
    expect(listener.traffic.notifications).toEqual({ presence: 1 });
  });

  it('fails what is overdue at a sweep, and everything when the socket closes', async () => {
    const client = new LoadClient(spec);
    const late = new Promise<Buffer>((resolve, reject) => client.pending.set(1, { resolve, reject, deadline: 10 }));
    const later = new Promise<Buffer>((resolve, reject) => client.pending.set(2, { resolve, reject, deadline: 100 }));
    client.sweep(50);
    await expect(late).rejects.toEqual(new RequestError('request timeout'));
    new ChantierListener().closed(client);
    await expect(later).rejects.toEqual(new RequestError('socket closed'));
    expect(client.pending.size).toBe(0);
  });
});
