import { describe, expect, it } from 'vitest';
import { parseServerMessage } from './envelope';

describe('parseServerMessage', () => {
  it('reads responses, errors and notifications', () => {
    expect(parseServerMessage('{"kind":"res","id":3,"ok":true,"data":{"a":1}}')).toEqual({
      kind: 'res',
      id: 3,
      ok: true,
      data: { a: 1 },
    });
    expect(parseServerMessage('{"kind":"res","id":null,"ok":false,"error":{"code":"BAD_REQUEST","message":"m"}}')).toEqual(
      { kind: 'res', id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'm' } },
    );
    expect(parseServerMessage('{"kind":"ntf","type":"peerLeft","data":{"peerId":"p"}}')).toMatchObject({
      kind: 'ntf',
      type: 'peerLeft',
    });
  });

  it('rejects what is not an envelope', () => {
    for (const text of ['nope', '[]', '{"kind":"req","id":1}', '{"kind":"res","ok":true}', '{"kind":"res","id":1}']) {
      expect(parseServerMessage(text).kind, text).toBe('invalid');
    }
  });
});
