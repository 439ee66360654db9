import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACTED_PATHS, safeErrorSerializer } from './log-redaction';
import { activeTraceIds } from './tracing';

export type { Logger };

/**
 * The process logger: structured JSON on stdout (or `destination`), one object per line. On a terminal in
 * development (`npm run dev`, or `npm start` with NODE_ENV unset or `development`) the lines are printed by
 * pino-pretty instead, in colour; never in production or test, and never when stdout is a pipe (a log collector
 * reads JSON).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'atelier' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Secrets, card data and addresses never reach a log line; database errors lose their SQL (log-redaction.ts).
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', ...REDACTED_PATHS], censor: '[redacted]' },
      serializers: { err: safeErrorSerializer, error: safeErrorSerializer },
      // Every line written within a traced span carries its `traceId` and `spanId` (nothing when tracing is off).
      mixin: activeTraceIds,
    },
    destination ?? prettyStreamOnDevelopmentTerminal(),
  );
}

/** pino-pretty, synchronous (no worker thread, nothing lost at exit), when it applies and is installed; else stdout. */
function prettyStreamOnDevelopmentTerminal(): DestinationStream | undefined {
  const environment = process.env.NODE_ENV ?? 'development';
  if (!process.stdout.isTTY || environment !== 'development') return undefined;
  try {
    // A development dependency: an image installed with --omit=dev has none, and logs JSON.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    return pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
  } catch {
    return undefined;
  }
}
