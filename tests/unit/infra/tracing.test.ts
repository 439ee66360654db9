import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { JobHelpers } from 'graphile-worker';
import { tracedTasks } from '../../../src/infra/jobs';
import { createLogger } from '../../../src/infra/logger';
import { activeTraceContext, inSpan } from '../../../src/infra/tracing';
import { createStripeGateway } from '../../../src/modules/payments/stripe-gateway';
import { startFakeStripe, type FakeStripe } from '../../utils/fake-stripe';

/**
 * Our own spans (Stripe calls, jobs) and the trace ids of log lines, recorded by an in-memory exporter. The API's
 * global tracer provider is registered here as the SDK registers it; the instrumentations of http, pg and the rest
 * are not (they patch Node's loader, which Jest bypasses): tests/integration/infra/tracing.test.ts runs them.
 */
describe('tracing spans and log correlation', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  let fake: FakeStripe;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
    fake = await startFakeStripe();
  });
  afterAll(async () => {
    await fake?.stop();
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  const finished = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);

  it('should record each Stripe call as a client span inside the span that made it, and a failed one with its error', async () => {
    const gateway = createStripeGateway({
      config: { secretKey: fake.apiKey, apiUrl: fake.url, timeoutMs: 5_000, maxNetworkRetries: 0, circuitResetMs: 30_000 },
      logger: createLogger('silent'),
    });
    await inSpan('checkout', {}, () =>
      gateway.createIntent({ orderId: '0190c0de-0000-7000-8000-000000000001', orderNumber: 'A-1', amount: 2_500, currency: 'EUR', idempotencyKey: 'checkout-traced' }),
    );
    const [parent] = finished('checkout');
    const [call] = finished('stripe paymentIntents.create');
    expect(call).toBeDefined();
    expect(call!.kind).toBe(SpanKind.CLIENT);
    expect(call!.spanContext().traceId).toBe(parent!.spanContext().traceId);
    expect(call!.parentSpanContext?.spanId).toBe(parent!.spanContext().spanId);
    expect(call!.attributes).toMatchObject({ 'rpc.system': 'stripe', 'rpc.method': 'paymentIntents.create' });
    expect(call!.status.code).not.toBe(SpanStatusCode.ERROR);

    await expect(gateway.cancelIntent({ reference: 'pi_does_not_exist', idempotencyKey: 'cancel-missing' })).rejects.toThrow();
    const [failed] = finished('stripe paymentIntents.cancel');
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed!.events.map((event) => event.name)).toContain('exception');
  });

  it("should run a job in a span of the trace that added it, and write that trace's id on the job's log lines", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }));
    // What a job's schedule writes into the payload, from within a request's span.
    const payload = await inSpan('POST /graphql', { kind: SpanKind.SERVER }, async () => ({ orderId: 'o-1', ...activeTraceContext() }));
    const [request] = finished('POST /graphql');
    expect(payload.traceparent).toBe(`00-${request!.spanContext().traceId}-${request!.spanContext().spanId}-01`);

    const tasks = tracedTasks({ settle_order: async () => logger.info('settling the order') });
    await tasks.settle_order!(payload, { job: { id: '42', attempts: 1 } } as unknown as JobHelpers);

    const [job] = finished('job settle_order');
    expect(job!.kind).toBe(SpanKind.CONSUMER);
    expect(job!.spanContext().traceId).toBe(request!.spanContext().traceId);
    expect(job!.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);
    expect(job!.attributes).toMatchObject({ 'job.task': 'settle_order', 'job.id': '42', 'job.attempt': 1 });
    expect(lines).toEqual([expect.objectContaining({ msg: 'settling the order', traceId: job!.spanContext().traceId, spanId: job!.spanContext().spanId })]);
  });

  it('should start a trace of its own for a job added outside any span, and record its failure', async () => {
    const tasks = tracedTasks({
      fail: async () => {
        throw new Error('no such order');
      },
    });
    await expect(tasks.fail!({ orderId: 'o-2' }, { job: { id: '43', attempts: 2 } } as unknown as JobHelpers)).rejects.toThrow('no such order');
    const [job] = finished('job fail');
    expect(job!.parentSpanContext).toBeUndefined();
    expect(job!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'no such order' });
  });

  it('should write no trace id on a line logged outside any span', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }));
    logger.info('outside');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toHaveProperty('traceId');
  });
});
