import { describe, expect, it, vi } from 'vitest';
import { FIRST_STILL_WAIT_MS, MAX_STILL_BYTES, MAX_WAITING_PER_SHARE, ScreenStills, stillTypeOf } from './ScreenStills.js';

const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(16)]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]);

function store() {
  const sent: Array<{ to: string; type: string; data: unknown }> = [];
  const stills = new ScreenStills((to, type, data) => sent.push({ to, type, data }));
  return { stills, sent };
}

describe('stillTypeOf', () => {
  it('knows WebP, PNG and JPEG by their signature, and nothing else', () => {
    expect(stillTypeOf(WEBP)).toBe('image/webp');
    expect(stillTypeOf(PNG)).toBe('image/png');
    expect(stillTypeOf(JPEG)).toBe('image/jpeg');
    expect(stillTypeOf(Buffer.from('<svg/>'))).toBeNull();
    expect(stillTypeOf(Buffer.from('RIFF'))).toBeNull();
    expect(stillTypeOf(new Uint8Array())).toBeNull();
  });
});

describe('ScreenStills', () => {
  it('asks the sharer while somebody needs a still, and tells each viewer of each version', () => {
    const { stills, sent } = store();
    stills.shareStarted('p1', 'sharer');
    stills.viewerNeeds('v1', 'p1', true);
    stills.viewerNeeds('v2', 'p1', true);
    expect(sent).toEqual([{ to: 'sharer', type: 'screenStillWanted', data: { producerId: 'p1', wanted: true } }]);
    sent.length = 0;
    expect(stills.put('sharer', 'p1', WEBP).version).toBe(1);
    expect(sent.map((s) => s.to).sort()).toEqual(['v1', 'v2']);
    expect(sent[0]!.data).toEqual({ peerId: 'sharer', producerId: 'p1', version: 1 });
    sent.length = 0;
    stills.viewerNeeds('v1', 'p1', false);
    stills.peerLeft('v2');
    expect(sent).toEqual([
      { to: 'v1', type: 'screenStill', data: { peerId: 'sharer', producerId: 'p1', version: null } },
      { to: 'sharer', type: 'screenStillWanted', data: { producerId: 'p1', wanted: false } },
      { to: 'v2', type: 'screenStill', data: { peerId: 'sharer', producerId: 'p1', version: null } },
    ]);
  });

  it('keeps only the latest picture, gives it at once to a late viewer, and forgets it with the share', () => {
    const { stills, sent } = store();
    stills.shareStarted('p1', 'sharer');
    stills.put('sharer', 'p1', WEBP);
    stills.put('sharer', 'p1', PNG);
    expect(stills.get('p1')).toMatchObject({ version: 2, type: 'image/png' });
    stills.viewerNeeds('late', 'p1', true);
    expect(sent.at(-1)).toEqual({ to: 'late', type: 'screenStill', data: { peerId: 'sharer', producerId: 'p1', version: 2 } });
    stills.shareEnded('p1');
    expect(() => stills.get('p1')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => stills.put('sharer', 'p1', WEBP)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    stills.viewerNeeds('late', 'p1', true); // an event after the share's end: nothing
    expect(sent).toHaveLength(2);
  });

  it('refuses another uploader, a picture too large, and bytes that are no picture', () => {
    const { stills } = store();
    stills.shareStarted('p1', 'sharer');
    expect(() => stills.put('other', 'p1', WEBP)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => stills.put('sharer', 'p1', Buffer.concat([WEBP, Buffer.alloc(MAX_STILL_BYTES)]))).toThrow(
      expect.objectContaining({ code: 'TOO_LARGE' }),
    );
    expect(() => stills.put('sharer', 'p1', Buffer.from('<svg/>'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_TYPE' }));
    expect(() => stills.get('p1')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  describe('first: a fetch that waits for the share\'s first picture', () => {
    it('gets it as it is put, at once when there is one, and NOT_FOUND when the share ends, time runs out or the fetch goes', async () => {
      vi.useFakeTimers();
      try {
        const { stills } = store();
        const viewer = new Set(['v']);
        stills.shareStarted('p1', 'sharer');
        stills.viewerNeeds('v', 'p1', true);
        const early = stills.first('p1', viewer);
        const settled = vi.fn();
        void early.then(settled, settled);
        await vi.advanceTimersByTimeAsync(FIRST_STILL_WAIT_MS - 1);
        expect(settled).not.toHaveBeenCalled();
        stills.put('sharer', 'p1', WEBP);
        expect((await early).version).toBe(1);
        expect((await stills.first('p1', viewer)).version).toBe(1);

        stills.shareStarted('p2', 'sharer');
        stills.viewerNeeds('v', 'p2', true);
        const late = stills.first('p2', viewer);
        const lateCheck = expect(late).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await vi.advanceTimersByTimeAsync(FIRST_STILL_WAIT_MS);
        await lateCheck;
        const ended = stills.first('p2', viewer);
        stills.shareEnded('p2');
        await expect(ended).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(stills.first('p2', viewer)).rejects.toMatchObject({ code: 'NOT_FOUND' });

        stills.shareStarted('p3', 'sharer');
        stills.viewerNeeds('v', 'p3', true);
        const gone = new AbortController();
        const abandoned = stills.first('p3', viewer, FIRST_STILL_WAIT_MS, gone.signal);
        gone.abort();
        await expect(abandoned).rejects.toMatchObject({ code: 'NOT_FOUND' });
        // Bounded: beyond MAX_WAITING_PER_SHARE, answered at once (no picture yet: NOT_FOUND).
        const many = Array.from({ length: MAX_WAITING_PER_SHARE }, () => stills.first('p3', viewer));
        await expect(stills.first('p3', viewer)).rejects.toMatchObject({ code: 'NOT_FOUND' });
        stills.put('sharer', 'p3', PNG);
        expect((await Promise.all(many)).every((still) => still.type === 'image/png')).toBe(true);
      } finally {
        vi.useRealTimers();
      }
    });

    it('waits for a viewer being judged, and keeps waiting only if it needs the still; a viewer that does not is answered at once', async () => {
      const { stills } = store();
      stills.shareStarted('p1', 'sharer');
      // Neither judged nor in need: nothing to wait for.
      await expect(stills.first('p1', new Set(['good']))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      let judgeWeak!: (weak: boolean) => void;
      let judgeGood!: (weak: boolean) => void;
      stills.judging('p1', 'weak', new Promise((resolve) => (judgeWeak = resolve)));
      stills.judging('p1', 'good', new Promise((resolve) => (judgeGood = resolve)));
      const forWeak = stills.first('p1', new Set(['weak']));
      const forGood = stills.first('p1', new Set(['good']));
      const settled = vi.fn();
      void forWeak.then(settled, settled);
      judgeGood(false);
      await expect(forGood).rejects.toMatchObject({ code: 'NOT_FOUND' });
      // The weak one's need comes before its verdict settles (ScreenStillNeeds tells first).
      stills.viewerNeeds('weak', 'p1', true);
      judgeWeak(true);
      await Promise.resolve();
      await Promise.resolve();
      expect(settled).not.toHaveBeenCalled();
      stills.put('sharer', 'p1', WEBP);
      expect((await forWeak).version).toBe(1);
    });
  });
});
