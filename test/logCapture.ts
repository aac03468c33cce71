import { Writable } from 'node:stream';

/** Log lines the app writes (buildApp's logStream), kept in memory for a test to read. */
export interface CapturedLog {
  stream: Writable;
  lines: string[];
  /** Everything logged so far, one string. */
  text(): string;
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, lines, text: () => lines.join('') };
}
