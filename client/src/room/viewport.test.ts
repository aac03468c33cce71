import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ViewportReporter, viewportTiles, type ObserverFactories, type ViewportTiles } from './viewport';

describe('viewportTiles', () => {
  it('keeps visible videos with a size, in device pixels, the largest per producer, in a stable order', () => {
    const tiles = viewportTiles(
      [
        { producerId: 'b', visible: true, width: 160, height: 90 },
        { producerId: 'a', visible: true, width: 320.4, height: 180.2 },
        { producerId: 'a', visible: true, width: 100, height: 50 },
        { producerId: 'c', visible: false, width: 640, height: 360 },
        { producerId: 'd', visible: true, width: 0, height: 0 },
      ],
      2,
    );
    expect(tiles).toEqual([
      { producerId: 'a', width: 641, height: 360 },
      { producerId: 'b', width: 320, height: 180 },
    ]);
  });

  it('never exceeds the protocol’s limits', () => {
    const many = Array.from({ length: 80 }, (_, i) => ({ producerId: `p${i}`, visible: true, width: 20_000, height: 10 }));
    const tiles = viewportTiles(many, 1);
    expect(tiles).toHaveLength(64);
    expect(tiles[0]!.width).toBe(16_384);
  });
});

/** Observers driven by the test: it says what is visible and how large. */
function fakeObservers() {
  let visibility: ((entries: Array<{ target: Element; visible: boolean }>) => void) | null = null;
  let size: ((entries: Array<{ target: Element; width: number; height: number }>) => void) | null = null;
  const observed = new Set<Element>();
  const observer = (set: boolean) => ({
    observe: (e: Element) => set && observed.add(e),
    unobserve: (e: Element) => set && observed.delete(e),
    disconnect: () => observed.clear(),
  });
  const factories: ObserverFactories = {
    intersection: (cb) => ((visibility = cb), observer(true)),
    resize: (cb) => ((size = cb), observer(false)),
  };
  return {
    factories,
    observed,
    show: (target: Element, visible: boolean) => visibility!([{ target, visible }]),
    resize: (target: Element, width: number, height: number) => size!([{ target, width, height }]),
  };
}

describe('ViewportReporter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const element = (): Element => ({}) as Element;

  function setup() {
    const fake = fakeObservers();
    const sent: ViewportTiles[] = [];
    const reporter = new ViewportReporter({
      send: (tiles) => sent.push(tiles),
      observers: fake.factories,
      devicePixelRatio: () => 1.5,
      debounceMs: 300,
    });
    return { fake, sent, reporter };
  }

  it('debounces changes into one report, and sends nothing when nothing changed', () => {
    const { fake, sent, reporter } = setup();
    reporter.setEnabled(true);
    const a = element();
    reporter.observe(a, 'cam-a');
    fake.show(a, true);
    fake.resize(a, 200, 100);
    fake.resize(a, 320, 180);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(300);
    expect(sent).toEqual([[{ producerId: 'cam-a', width: 480, height: 270 }]]);

    fake.resize(a, 320, 180);
    vi.advanceTimersByTime(1_000);
    expect(sent).toHaveLength(1);

    fake.show(a, false);
    vi.advanceTimersByTime(300);
    expect(sent[1]).toEqual([]);
  });

  it('reports a new video element even while it is hidden, and its removal', () => {
    const { fake, sent, reporter } = setup();
    reporter.setEnabled(true);
    const a = element();
    reporter.observe(a, 'cam-a');
    fake.show(a, true);
    fake.resize(a, 320, 180);
    vi.advanceTimersByTime(300);
    const b = element();
    const stop = reporter.observe(b, 'cam-b');
    fake.show(b, false);
    vi.advanceTimersByTime(300);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual([{ producerId: 'cam-a', width: 480, height: 270 }]);
    stop();
    expect(fake.observed.has(b)).toBe(false);
    vi.advanceTimersByTime(300);
    expect(sent).toHaveLength(3);
  });

  it('waits for a new element’s first observations before reporting, a second at most', () => {
    const { fake, sent, reporter } = setup();
    reporter.setEnabled(true);
    const a = element();
    reporter.observe(a, 'cam-a');
    // The page is busy: the observers have not answered when the report is due.
    vi.advanceTimersByTime(300);
    expect(sent).toEqual([]);
    fake.show(a, true);
    vi.advanceTimersByTime(300);
    expect(sent).toEqual([]); // shown, but no size yet: "not shown" would pause it
    fake.resize(a, 320, 180);
    vi.advanceTimersByTime(300);
    expect(sent).toEqual([[{ producerId: 'cam-a', width: 480, height: 270 }]]);

    // Observers that never answer do not hold the report back for ever.
    const b = element();
    reporter.observe(b, 'cam-b');
    vi.advanceTimersByTime(900);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(300);
    expect(sent).toHaveLength(2);
  });

  it('sends nothing while disabled, and the whole view again when enabled', () => {
    const { fake, sent, reporter } = setup();
    const a = element();
    reporter.observe(a, 'cam-a');
    fake.show(a, true);
    fake.resize(a, 100, 100);
    vi.advanceTimersByTime(1_000);
    expect(sent).toEqual([]);
    reporter.setEnabled(true);
    vi.advanceTimersByTime(300);
    expect(sent).toEqual([[{ producerId: 'cam-a', width: 150, height: 150 }]]);
    // Off (audio-only) and on again: the server forgot, so the same view is sent again.
    reporter.setEnabled(false);
    reporter.setEnabled(true);
    vi.advanceTimersByTime(300);
    expect(sent).toHaveLength(2);
    reporter.dispose();
    vi.advanceTimersByTime(1_000);
    expect(sent).toHaveLength(2);
  });
});
