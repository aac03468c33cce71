/**
 * Recording a meeting spread over two workers, with a screen share that
 * changes size mid-way (issue 22), on real workers and real FFmpeg: a
 * participant on the home worker and one on the other each send a tone
 * (real Opus), the second also a screen share (real VP8) whose picture goes
 * from 320x240 to 640x360. Every sender's track is written (the other
 * worker's through a pipe to the home router, where the recorder's
 * transports are), the share in two segments, one per size; the result
 * holds both tones and plays the share, both sizes, at the layout's size.
 * Last, one writer is killed: that track is reported, the others go on.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipSender, opusTone, vp8Picture, type Clip } from '../../../test/encodedMedia.js';
import { decodeVideo, probe, toneTimeline, within } from '../../../test/recording.js';
import { joinRoom, sfuTestConfig } from '../../../test/sfuRoom.js';
import { until } from '../../../test/until.js';
import { silentLogger, Sfu, type MediaRoom } from '@chantier/sfu';
import type { RecordingConfig } from './config.js';
import { mixArgs, runMix } from './mix.js';
import { packetCount } from './probe.js';
import { Recording, type FailedTrack, type Manifest } from './Recording.js';
import { PortPool } from './ports.js';
import { testTempDir } from '../../../test/tempDir.js';

const WIDTH = 480;
const HEIGHT = 270;
const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recording a meeting spread over two workers, with a screen share that changes size', () => {
  let sfu: Sfu;
  let room: MediaRoom;
  const senders: ClipSender[] = [];
  let dir: string;
  let manifest: Manifest;
  const failed: FailedTrack[] = [];
  let wide: Clip;
  let killedAtMs = 0;

  beforeAll(async () => {
    // Longer than the recording: the only key frames after the first are those the recorder asks for.
    const [a, b, narrow, wideClip] = await Promise.all([opusTone(440, 2), opusTone(660, 2), vp8Picture(320, 240, 10), vp8Picture(640, 360, 10)]);
    wide = wideClip;
    // One consumer per worker before the room spreads: the listener's fills the home worker.
    sfu = await Sfu.create(sfuTestConfig({ maxConsumersPerWorker: 1 }), silentLogger);
    room = await sfu.room('rec-spread');
    const alice = await joinRoom(room, 'alice');
    const listener = await joinRoom(room, 'listener');
    senders.push(await ClipSender.create(room, alice.peer, 'mic', a));
    await listener.peer.consume(senders[0]!.producer);
    const bob = await joinRoom(room, 'bob');
    expect(alice.peer.slot).toBe(room.slot);
    expect(bob.peer.slot).not.toBe(room.slot);
    senders.push(await ClipSender.create(room, bob.peer, 'mic', b), await ClipSender.create(room, bob.peer, 'screen', narrow));
    for (const s of senders) s.start();

    dir = testTempDir('chantier-rec-spread');
    const config: RecordingConfig = {
      dir,
      maxMinutes: 10,
      maxBytes: 1024 ** 3,
      minFreeBytes: 0,
      portMin: 24_100,
      portMax: 24_199,
      ffmpeg: 'ffmpeg',
      width: WIDTH,
      height: HEIGHT,
      mixTimeoutMs: 60_000,
    };
    const startedAt = Date.now();
    const by = { userId: 'lea', displayName: 'Léa' };
    const recording = new Recording({
      info: { recordingId: 'spread', startedAt, by, endsBy: startedAt + 600_000 },
      manifest: { recordingId: 'spread', projectId: 'p', roomId: 'rec-spread', meetingId: 'm', node: 'n', startedAt, by },
      dir,
      room,
      config,
      ports: new PortPool(config.portMin, config.portMax),
      log,
      names: (peerId) => peerId,
      onEnd: () => {},
      onTrackFailed: (track) => failed.push(track),
    });
    // These producers are not a MediaPeer's (no WebRTC): added as the producer handler adds a new one.
    for (const s of senders) recording.add(s.producer);
    await recording.start();
    const screens = () => recording.manifest.segments.filter((s) => s.source === 'screen');
    const flowing = () => recording.manifest.segments.filter((s) => s.startMs !== null).length;
    await until(() => flowing() === 3, 'every track written', { detail: () => recording.manifest.segments });
    // The recording's length, not a wait for something: two seconds of the first size, then the share's window grows.
    await sleep(2_000);
    senders[2]!.switchTo(wide);
    await until(() => screens().length === 2 && screens()[1]!.startMs !== null, 'a new segment at the new size', { detail: () => screens() });
    await sleep(1_500);
    // Bob's microphone's writer dies: reported, and the others' recording goes on.
    const bobMic = recording.manifest.segments.find((s) => s.peerId === 'bob' && s.source === 'mic')!;
    process.kill(bobMic.pid!, 'SIGKILL');
    await until(() => failed.length === 1, 'the lost track reported');
    killedAtMs = bobMic.endMs!;
    await sleep(1_000);
    manifest = await recording.stop('stopped');
  }, 60_000);

  afterAll(() => {
    for (const s of senders) s.close();
    sfu?.close();
  });

  it('writes every sender’s track, the other worker’s through a pipe, and the share in one segment per size', async () => {
    expect(room.spread).toBe(true);
    const tracks = manifest.segments.map((s) => `${s.peerId}:${s.source}`).sort();
    expect(tracks).toEqual(['alice:mic', 'bob:mic', 'bob:screen', 'bob:screen']);
    for (const s of manifest.segments) expect(await packetCount('ffprobe', join(dir, s.file)), s.file).toBeGreaterThan(0);
    const screens = manifest.segments.filter((s) => s.source === 'screen');
    const sizes = await Promise.all(screens.map(async (s) => (await probe(join(dir, s.file))).streams[0]));
    expect(sizes.map((v) => `${v?.width}x${v?.height}`)).toEqual(['320x240', '640x360']);
    expect(screens[1]!.startMs!).toBeGreaterThanOrEqual(screens[0]!.endMs!);
    // The recorder's key frame requests, made on the home worker, reached the sender on the other one.
    expect(senders[2]!.keyFrameRequests).toBeGreaterThanOrEqual(2);
    expect(failed).toEqual([{ peerId: 'bob', displayName: 'bob', source: 'mic', kind: 'audio' }]);
    // The others were written to the end: their writers ended with the stop, a second after the death.
    for (const s of [manifest.segments.find((x) => x.peerId === 'alice')!, screens[1]!]) {
      expect(s.endMs, s.file).toBeGreaterThan(killedAtMs + 500);
    }
  });

  it('makes a result that holds both tones and plays the share at the layout’s size, both sizes scaled into it', async () => {
    const out = join(dir, 'result.webm');
    const { args, video } = mixArgs(
      { segments: manifest.segments, speakers: manifest.speakers, durationMs: manifest.durationMs!, width: WIDTH, height: HEIGHT },
      manifest.segments.map((s) => join(dir, s.file)),
      out,
    );
    expect(video).toBe(true);
    await runMix('ffmpeg', args, 60_000);
    const decoded = await decodeVideo(out);
    expect(decoded).toMatchObject({ width: WIDTH, height: HEIGHT });
    expect(decoded.frames).toBeGreaterThan(0);
    const timeline = await toneTimeline(out, [440, 660, 550]);
    // The mixed audio lasts as long as the recording: not restarted when the share's size changed.
    expect(Math.abs(timeline.length * 0.5 - manifest.durationMs! / 1000)).toBeLessThanOrEqual(0.5);
    const starts = manifest.segments.filter((s) => s.kind === 'audio').map((s) => s.startMs!);
    const windows = within(timeline, Math.max(...starts) / 1000 + 0.5, killedAtMs / 1000 - 1);
    expect(windows.length).toBeGreaterThanOrEqual(3);
    for (const w of windows) {
      expect(w.db[0], `440 Hz at ${w.t} s`).toBeGreaterThan(-35);
      expect(w.db[1], `660 Hz at ${w.t} s`).toBeGreaterThan(-35);
      expect(w.db[2], `550 Hz (nobody) at ${w.t} s`).toBeLessThan(-50);
    }
  });
});
