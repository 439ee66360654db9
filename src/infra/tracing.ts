import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

/**
 * Tracing with OpenTelemetry. Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
 * is set: then `startTracing` starts `@opentelemetry/sdk-node` with the HTTP, Express, GraphQL, pg and Redis
 * instrumentations and an OTLP exporter (`OTEL_EXPORTER_OTLP_PROTOCOL`, default `http/protobuf`; every other
 * standard `OTEL_*` variable applies, e.g. `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`). Off, nothing of the SDK is
 * even loaded, and the helpers below run on the API's no-op tracer, which records nothing and costs a few calls.
 *
 * The instrumentations patch `http`, `express`, `graphql`, `pg` and `redis` when they are first required, so
 * tracing must start before any of them is loaded: `src/tracing-start.ts` does, as the first import of `main.ts`
 * and `scripts/worker.ts`.
 */

/** Our own spans (Stripe calls, jobs): the name the tracer is registered under. */
const TRACER_NAME = 'atelier';

/** Requests that would only add noise: probes and scrapes, many a minute. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

let running: { shutdown(): Promise<void> } | undefined;

/** The OTLP endpoint that turns tracing on, or undefined (off). */
export function tracingEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
}

/**
 * Starts the SDK when {@link tracingEndpoint} says so, once per process; answers whether tracing is on.
 * `defaultServiceName` names the process in its traces unless `OTEL_SERVICE_NAME` does. Metrics and logs are
 * not exported over OTLP (Prometheus and stdout serve them), only traces.
 */
export function startTracing(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (running) return true;
  if (!tracingEndpoint(env)) return false;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on: off, it costs nothing */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { GraphQLInstrumentation } = require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { RedisInstrumentation } = require('@opentelemetry/instrumentation-redis') as typeof import('@opentelemetry/instrumentation-redis');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName: defaultServiceName }),
    // Given empty, NodeSDK does not set up its default OTLP exporters of metrics and logs.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]!),
        // Outgoing calls (Stripe, SMTP) belong to a request or a job; alone they are noise.
        requireParentforOutgoingSpans: true,
      }),
      new ExpressInstrumentation(),
      new GraphQLInstrumentation({ mergeItems: true, ignoreTrivialResolveSpans: true }),
      // The job queue's polling, the heartbeats and the live-event relay query without a parent span, every second:
      // only statements of a request or a job are traced.
      new PgInstrumentation({ requireParentSpan: true }),
      new RedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  running = sdk;
  return true;
}

/** Exports the spans still buffered and stops the SDK (on shutdown); nothing when tracing is off. */
export async function shutdownTracing(): Promise<void> {
  const sdk = running;
  running = undefined;
  await sdk?.shutdown();
}

/**
 * Runs `work` in a new span named `name`, child of the active span (or of `parent`), ended when `work` settles;
 * a failure is recorded on the span (exception event, status ERROR) and thrown on.
 */
export function inSpan<T>(name: string, options: { kind?: SpanKind; attributes?: Attributes; parent?: Context }, work: (span: Span) => Promise<T>): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, options.parent ?? context.active(), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The W3C trace context of the active span, as a job payload carries it: `{ traceparent }`, or `{}` when nothing is traced. */
export function activeTraceContext(): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? { traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) } : {};
}

/** The context of the trace a payload written with {@link activeTraceContext} belongs to (the root context when none). */
export function traceContextOf(payload: unknown): Context {
  const carrier = payload as { traceparent?: unknown; tracestate?: unknown } | null;
  if (typeof carrier?.traceparent !== 'string') return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, {
    traceparent: carrier.traceparent,
    ...(typeof carrier.tracestate === 'string' ? { tracestate: carrier.tracestate } : {}),
  });
}

/** `{ traceId }` of the trace a job payload belongs to (its `traceparent`), for the job's log lines; `{}` when none. */
export function traceIdOf(payload: unknown): { traceId?: string } {
  const spanContext = trace.getSpanContext(traceContextOf(payload));
  return spanContext && trace.isSpanContextValid(spanContext) ? { traceId: spanContext.traceId } : {};
}

/** The ids of the active span, for log lines (`traceId`, `spanId`); `{}` outside a recorded span. */
export function activeTraceIds(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return trace.isSpanContextValid(span.spanContext()) ? { traceId, spanId } : {};
}

export { SpanKind };
