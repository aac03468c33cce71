/**
 * A bot's microphone as a Chantier client's, for the audio-only bench's
 * talkers (chantierBot.ts calls it for each of the replayed clip's 20-ms
 * audio packets, for their pace and timestamps only): it sends what the
 * client's microphone producer sends (client/src/room/producerOptions.ts),
 * Opus mono at 20 kb/s in 40-ms packets (a continuous 440 Hz tone, as the
 * pages' fake microphone plays, recorded once by ffmpeg), with a speech level
 * in the audio-level header extension (RFC 6464) as Chromium writes it on
 * every microphone packet. Silent, it sends what Opus DTX sends: a packet
 * every 400 ms (here the recording's TOC byte alone, code 0: one zero-length
 * frame, which a decoder conceals) at the level of digital silence, with its
 * own sequence numbers so that the packets not sent are not counted as
 * lost. When it starts talking again it tells when its first voiced packet
 * left: the new talker's start, from which the bench times the listener's
 * receipt.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nowMs } from './talkerTrace.js';

const SPEECH_KBPS = 20;
const PACKET_MS = 40;
const RECORD_SECONDS = 4;
const SPEECH_FILE = join(tmpdir(), `chantier-bench-speech-v1-${SPEECH_KBPS}k-${PACKET_MS}ms.bin`);

/** The Opus payloads of RECORD_SECONDS of a 440 Hz tone, as the client encodes a microphone; recorded once, then read from the temp dir. */
export async function loadSpeech(): Promise<Buffer[]> {
  if (!existsSync(SPEECH_FILE)) {
    const packets: Buffer[] = [];
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
    socket.on('message', (msg) => {
      if ((msg[1]! & 0x7f) >= 72 && (msg[1]! & 0x7f) <= 79) return; // RTCP
      packets.push(Buffer.from(msg));
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const child = spawn('ffmpeg', [
          '-hide_banner', '-loglevel', 'error', '-nostdin', '-re',
          '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${RECORD_SECONDS}`,
          '-ac', '1', '-c:a', 'libopus', '-application', 'voip', '-b:a', `${SPEECH_KBPS}k`, '-frame_duration', String(PACKET_MS),
          '-payload_type', '111', '-f', 'rtp', `rtp://127.0.0.1:${socket.address().port}?pkt_size=1200`,
        ], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), (RECORD_SECONDS + 30) * 1000);
        child.on('error', reject);
        child.on('exit', (code) => {
          clearTimeout(timer);
          if (code === 0) resolve();
          else reject(new Error(`ffmpeg exited ${code}: ${err.slice(0, 500)}`));
        });
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      socket.close();
    }
    // Payloads only, each behind its length (2 bytes): the bot writes its own headers.
    const payloads = packets.map((p) => p.subarray(12 + 4 * (p[0]! & 0x0f) + (p[0]! & 0x10 ? 4 + 4 * p.readUInt16BE(12 + 4 * (p[0]! & 0x0f) + 2) : 0)));
    if (payloads.length < (RECORD_SECONDS * 1000) / PACKET_MS / 2) throw new Error(`recorded only ${payloads.length} speech packets`);
    writeFileSync(`${SPEECH_FILE}.part`, Buffer.concat(payloads.flatMap((p) => [Buffer.from([p.length >> 8, p.length & 0xff]), p])));
    renameSync(`${SPEECH_FILE}.part`, SPEECH_FILE);
  }
  const raw = readFileSync(SPEECH_FILE);
  const out: Buffer[] = [];
  for (let o = 0; o < raw.length; o += 2 + raw.readUInt16BE(o)) out.push(raw.subarray(o + 2, o + 2 + raw.readUInt16BE(o)));
  return out;
}

/** The level a talking bot's packets carry (dBov): speech, above the server's audible threshold (-55). */
export const TALKING_DBOV = -30;
const SILENT_DBOV = -127;
/** The clip's audio packets are 20 ms apart: one 40-ms packet for two. */
const CLIP_PACKET_MS = 20;
/** Opus DTX in WebRTC: one packet every 400 ms. */
const DTX_EVERY = 400 / PACKET_MS;

export interface ShapedAudio {
  sequenceNumber: number;
  payload: Buffer;
  audioLevel: number;
}

export class BotVoice {
  readonly #speech: readonly Buffer[];
  #next = 0;
  /** The clip's packets seen: every (PACKET_MS / CLIP_PACKET_MS)th is a slot of ours. */
  #slots = 0;
  #talking: boolean;
  #seq = Math.floor(Math.random() * 30_000);
  #skipped = 0;
  #firstVoiced: Array<(at: number) => void> = [];

  /** `speech`: loadSpeech()'s payloads, sent in turn. */
  constructor(speech: readonly Buffer[], talking = true) {
    if (speech.length === 0) throw new Error('no speech to send');
    this.#speech = speech;
    this.#talking = talking;
  }

  get talking(): boolean {
    return this.#talking;
  }

  /** Stops talking (DTX from the next packet), or starts: resolves with when (epoch ms) its first voiced packet is sent. */
  setTalking(on: boolean): Promise<number> {
    this.#talking = on;
    if (!on) {
      this.#firstVoiced = [];
      this.#skipped = 0;
      return Promise.resolve(nowMs());
    }
    return new Promise((resolve) => this.#firstVoiced.push(resolve));
  }

  /**
   * Called for each of the clip's audio packets (20 ms apart): what this
   * microphone sends now, or null (between two 40-ms packets, or DTX). The
   * timestamp is the clip packet's: one in two, so 40 ms apart.
   */
  shape(): ShapedAudio | null {
    if (this.#slots++ % (PACKET_MS / CLIP_PACKET_MS) !== 0) return null;
    const payload = this.#speech[this.#next++ % this.#speech.length]!;
    if (!this.#talking) {
      // The first silent packet goes at once (the encoder's last), then one every 400 ms.
      if (this.#skipped++ % DTX_EVERY !== 0) return null;
      return { sequenceNumber: this.#nextSeq(), payload: Buffer.from([payload[0]! & 0xfc]), audioLevel: SILENT_DBOV };
    }
    if (this.#firstVoiced.length > 0) {
      const at = nowMs();
      for (const resolve of this.#firstVoiced) resolve(at);
      this.#firstVoiced = [];
    }
    return { sequenceNumber: this.#nextSeq(), payload, audioLevel: TALKING_DBOV };
  }

  #nextSeq(): number {
    this.#seq = (this.#seq + 1) & 0xffff;
    return this.#seq;
  }
}
