import pino, { type Logger } from 'pino';
import { REDACTED_PATHS, safeErrorSerializer } from './log-redaction';

export type { Logger };

/** The process logger: structured JSON on stdout, one object per line. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({
    level,
    base: { service: 'atelier' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Secrets, card data and addresses never reach a log line; database errors lose their SQL (log-redaction.ts).
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', ...REDACTED_PATHS], censor: '[redacted]' },
    serializers: { err: safeErrorSerializer, error: safeErrorSerializer },
  }, destination);
}
