/**
 * A writer stopped after its packets ended (its sender left, its worker
 * died) keeps what it wrote. FFmpeg reads SIGINT between packets only, so
 * such a writer never ends by itself and is killed; before, the WebM muxer
 * held the whole file's one cluster in memory and the kill left a header
 * only (found by the browser test: a worker killed mid-recording stored
 * nothing, and a participant who left was missing from the mix). Real
 * FFmpeg on both sides: a sender encoding a tone to RTP, the writer copying it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { packetCount } from './probe.js';
import { PortPool } from './ports.js';
import { trackSdp, TrackWriter } from './TrackWriter.js';

const dir = mkdtempSync(join(tmpdir(), 'chantier-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const silent = { info() {}, warn() {}, error() {}, debug() {}, child: () => silent } as never;
const SENT_S = 2.4;
const PACKET_MS = 40;

describe('TrackWriter', () => {
  it('keeps what came before its packets stopped when it is stopped (and killed) after', async () => {
    const port = await new PortPool(24_100, 24_199).take();
    const codec = { mimeType: 'audio/opus', payloadType: 100, clockRate: 48_000, channels: 2 };
    const outPath = join(dir, 'mic.webm');
    const writer = await TrackWriter.start({ ffmpeg: 'ffmpeg', sdp: trackSdp('audio', port, codec, 'mic'), sdpPath: join(dir, 'mic.sdp'), outPath, port, log: silent });
    const sender = spawn('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SENT_S}`,
      '-c:a', 'libopus', '-b:a', '32k', '-frame_duration', String(PACKET_MS), '-payload_type', '100',
      '-f', 'rtp', `rtp://127.0.0.1:${port}?rtcpport=${port + 1}`,
    ], { stdio: 'ignore' });
    await once(sender, 'exit');
    // No packet comes any more: SIGINT is not read, the writer is killed after its grace.
    const exit = await writer.stop();
    expect(exit.stopped).toBe(true);
    const packets = await packetCount('ffprobe', outPath);
    // All but its last cluster (CLUSTER_MS): at least 1.5 s of the 2.4 s sent.
    expect(packets).toBeGreaterThanOrEqual(1_500 / PACKET_MS);
    expect(packets).toBeLessThanOrEqual((SENT_S * 1000) / PACKET_MS + 1);
  }, 20_000);
});
