/**
 * The first import of `main.ts` and `scripts/worker.ts`: starts tracing (when `OTEL_EXPORTER_OTLP_ENDPOINT` is set)
 * before anything loads `http`, `express`, `graphql`, `pg` or `redis`, which the instrumentations patch as they are
 * required. The entry point's file name picks the default service name: `atelier-worker` for the worker.
 */
import { basename } from 'node:path';
import { startTracing } from './infra/tracing';

startTracing(basename(process.argv[1] ?? '') === 'worker.js' ? 'atelier-worker' : 'atelier-api');
