import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/** A real pino logger (at `info` unless told) whose lines are kept, parsed, in `lines`: for tests of what gets logged. */
export function recordingLogger(level = 'info'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
