import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/postgresql';
import { openDatabase } from '../../../src/infra/db/orm';
import { createLogger } from '../../../src/infra/logger';
import { runSql } from '../../../src/shared/sql';
import { ADDRESS } from '../../fixtures/addresses';
import { createProducts, createShop } from '../../fixtures/shops';
import { AddToCartDocument, CheckoutDocument } from '../../generated/graphql';
import { ensureBuilt } from '../../utils/build';
import { createUsers, type FixtureTarget } from '../../utils/buyers';
import { createTestDatabase, type TestDatabase } from '../../utils/database';
import { dataOf, sendAs } from '../../utils/operations';
import { runToEnd, spawnChild, type ChildServer } from '../../utils/processes';
import { startTestRedis, type TestRedis } from '../../utils/redis-server';
import { waitFor } from '../../utils/wait';
import { moduleEntities } from '../../../src/modules/index';

const JWT_SECRET = 'tracing-test-secret-0123456789abcdefghij';

/** OTLP/JSON's span kinds. */
const SERVER = 2;
const CONSUMER = 5;

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  service: string;
}

type OtlpAttributes = Array<{ key: string; value: Record<string, unknown> }>;
const attributesOf = (list: OtlpAttributes | undefined) =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));

/**
 * An OTLP/HTTP collector in memory (the JSON encoding): what the server exports lands in `spans`, where the test
 * reads it. The server under test is a child process: instrumentations patch modules as Node's own loader requires
 * them, which Jest's module registry bypasses.
 */
async function startCollector(): Promise<{ url: string; spans: ReceivedSpan[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse((request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString()) as {
        resourceSpans?: Array<{ resource?: { attributes?: OtlpAttributes }; scopeSpans?: Array<{ spans?: Array<Omit<ReceivedSpan, 'attributes' | 'service'> & { attributes?: OtlpAttributes }> }> }>;
      };
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) spans.push({ ...span, attributes: attributesOf(span.attributes), service });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

describe('tracing with OpenTelemetry', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let orm: MikroORM;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let api: ChildServer;
  let target: FixtureTarget;

  beforeAll(async () => {
    await ensureBuilt();
    [db, redis, collector] = await Promise.all([createTestDatabase(), startTestRedis(), startCollector()]);
    api = await spawnChild('dist/src/main.js', {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      // Redis too: each request's query budget is a Redis command, traced inside the request.
      REDIS_URL: redis.url,
      SEED_DEMO_DATA: 'false',
      LOG_LEVEL: 'debug',
      JWT_SECRET,
      // The DEVELOPMENT provider: its payment job confirms the payment 50 ms after the checkout.
      DEVELOPMENT_PAYMENT_DELAY_MS: '50',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Export within 100 ms rather than 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    orm = await openDatabase({ url: db.url, entities: moduleEntities, logger: createLogger('silent') });
    target = { database: { orm }, config: { auth: { jwtSecret: JWT_SECRET } } };
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await orm?.close();
    collector?.server.close();
    await Promise.all([redis?.stop(), db?.drop()]);
  });

  it('should follow a checkout in one trace from the HTTP request through GraphQL and its SQL statements to its payment job, with the trace id in the logs', async () => {
    const shop = await createShop(target);
    const [productId] = await createProducts(target, shop, [{ stock: 5 }]);
    const [buyer] = await createUsers(target, 1);
    dataOf(await sendAs(api.graphqlUrl, buyer!.token, AddToCartDocument, { productId: productId!, quantity: 1 }));
    const order = dataOf(await sendAs(api.graphqlUrl, buyer!.token, CheckoutDocument, { input: { idempotencyKey: 'traced', shippingAddress: ADDRESS } })).checkout;
    expect(order.payment?.provider).toBe('DEVELOPMENT');

    const paymentJobSpan = () => collector.spans.find((span) => span.name === 'job confirm_development_payment');
    const spansOfTrace = (traceId: string) => collector.spans.filter((span) => span.traceId === traceId);
    // Complete: every span's parent has arrived too (the other jobs of the checkout, its emails, may end later).
    const complete = (spans: ReceivedSpan[]) => spans.every((span) => !span.parentSpanId || spans.some((parent) => parent.spanId === span.parentSpanId));
    await waitFor(() => paymentJobSpan() !== undefined && complete(spansOfTrace(paymentJobSpan()!.traceId)), 20_000, 'the payment job span and its trace');
    const job = paymentJobSpan()!;
    const traced = spansOfTrace(job.traceId);
    const byId = new Map(traced.map((span) => [span.spanId, span]));
    /** The names of a span's ancestors, nearest first, to the root of its trace. */
    const ancestry = (span: ReceivedSpan) => {
      const names: string[] = [];
      for (let parent = byId.get(span.parentSpanId ?? ''); parent; parent = byId.get(parent.parentSpanId ?? '')) names.push(parent.name);
      return names;
    };

    // The root: the HTTP request that carried the Checkout operation.
    const roots = traced.filter((span) => !span.parentSpanId);
    expect(roots).toHaveLength(1);
    expect(roots[0]).toMatchObject({ kind: SERVER, service: 'atelier-api' });
    expect(roots[0]!.attributes['http.request.method'] ?? roots[0]!.attributes['http.method']).toBe('POST');
    // GraphQL, with the operation's name, inside it.
    expect(traced.find((span) => span.attributes['graphql.operation.name'] === 'Checkout')).toMatchObject({ name: 'mutation Checkout' });
    // The checkout's SQL statements, each a descendant of the request.
    const statements = traced.filter((span) => span.attributes['db.system'] === 'postgresql' || span.attributes['db.system.name'] === 'postgresql');
    expect(statements.length).toBeGreaterThan(3);
    expect(statements.every((span) => ancestry(span).at(-1) === roots[0]!.name)).toBe(true);
    // Its Redis commands (the query budget), inside the request too.
    const redisCommands = traced.filter((span) => span.attributes['db.system'] === 'redis' || span.attributes['db.system.name'] === 'redis');
    expect(redisCommands.length).toBeGreaterThan(0);
    expect(redisCommands.every((span) => ancestry(span).at(-1) === roots[0]!.name)).toBe(true);
    // The payment job: same trace, its parent a span of the request, and its own SQL inside it.
    expect(job).toMatchObject({ kind: CONSUMER });
    expect(job.attributes['job.task']).toBe('confirm_development_payment');
    expect(ancestry(job).at(-1)).toBe(roots[0]!.name);
    expect(statements.some((span) => ancestry(span)[0] === job.name || ancestry(span).includes(job.name))).toBe(true);

    // The W3C traceparent in the payload of the jobs the request added (the order's expiry is still queued).
    const [expiry] = await runSql<{ payload: { orderId: string; traceparent?: string } }>(
      orm.em.fork(),
      `select j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
        where t.identifier = 'expire_order' and j.payload->>'orderId' = ?`,
      [order.id],
    );
    expect(expiry?.payload.traceparent).toMatch(new RegExp(`^00-${job.traceId}-[0-9a-f]{16}-01$`));

    // Logs: the request's line and the job's lines carry the trace id.
    await waitFor(() => logLines(api).some((line) => line.msg === 'job succeeded' && line.task === 'confirm_development_payment'), 10_000, 'the job to end');
    const lines = logLines(api);
    expect(lines.filter((line) => line.operationName === 'Checkout').map((line) => line.traceId)).toContain(job.traceId);
    expect(lines.filter((line) => line.task === 'confirm_development_payment' && String(line.msg).startsWith('job ')).every((line) => line.traceId === job.traceId)).toBe(true);
  });

  it('should load nothing of the SDK and write no trace id when OTEL_EXPORTER_OTLP_ENDPOINT is not set', async () => {
    const { code, stdout } = await runToEnd('tests/fixtures/tracing-off-probe.js', [], { NODE_ENV: 'test' });
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(lines).toHaveLength(2);
    // The log line written inside the (no-op) span, and the SDK's modules that were loaded: none.
    expect(lines.find((line) => !Array.isArray(line))).toMatchObject({ msg: 'inside a span' });
    expect(lines.find((line) => !Array.isArray(line))).not.toHaveProperty('traceId');
    expect(lines.find((line) => Array.isArray(line))).toEqual([]);
  });
});

/** The child's JSON log lines. */
function logLines(child: ChildServer): Array<Record<string, unknown>> {
  return child
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
