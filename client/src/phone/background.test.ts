import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import type { Phase } from '../state/roomState';
import { BackgroundCamera, bindBackgroundCamera, isLeavingPageHide } from './background';

/** The room's camera as the controller handles it; counts calls, mic untouched by construction. */
function fakeRoom(camera = true) {
  const phase = signal<Phase>('joined');
  const cameraEnabled = signal(camera);
  const calls: boolean[] = [];
  return {
    phase,
    cameraEnabled,
    calls,
    setCameraEnabled(enabled: boolean) {
      calls.push(enabled);
      cameraEnabled.value = enabled;
      return Promise.resolve();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('BackgroundCamera', () => {
  it('stops the camera when a phone hides the page and turns it back on when visible', async () => {
    const room = fakeRoom();
    const visible = signal(true);
    const dispose = bindBackgroundCamera(new BackgroundCamera(room, () => true), visible);
    await settle();
    expect(room.calls).toEqual([]); // nothing at start-up

    visible.value = false;
    await settle();
    expect(room.calls).toEqual([false]);
    expect(room.phase.value).toBe('joined'); // hidden is not leaving

    visible.value = true;
    await settle();
    expect(room.calls).toEqual([false, true]);
    dispose();
  });

  it('leaves a camera that was off alone', async () => {
    const room = fakeRoom(false);
    const camera = new BackgroundCamera(room, () => true);
    await camera.onVisibility(false);
    await camera.onVisibility(true);
    expect(room.calls).toEqual([]);
  });

  it('keeps a desktop tab in the background filming', async () => {
    const room = fakeRoom();
    const camera = new BackgroundCamera(room, () => false);
    await camera.onVisibility(false);
    expect(room.calls).toEqual([]);
    expect(room.cameraEnabled.value).toBe(true);
  });

  it('does not turn the camera on in a meeting left meanwhile', async () => {
    const room = fakeRoom();
    const camera = new BackgroundCamera(room, () => true);
    await camera.onVisibility(false);
    expect(camera.willResume).toBe(true);
    room.phase.value = 'disconnected';
    await camera.onVisibility(true);
    expect(room.calls).toEqual([false]);
    expect(camera.willResume).toBe(false);
  });

  it('does not stop anything in the lobby', async () => {
    const room = fakeRoom();
    room.phase.value = 'lobby';
    await new BackgroundCamera(room, () => true).onVisibility(false);
    expect(room.calls).toEqual([]);
  });
});

describe('isLeavingPageHide', () => {
  it('leaves only when the page is discarded, not when kept in the back/forward cache', () => {
    expect(isLeavingPageHide({ persisted: false })).toBe(true);
    expect(isLeavingPageHide({ persisted: true })).toBe(false);
  });
});
