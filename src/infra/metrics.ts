import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A count by label value, as the sources of collected gauges give it. */
export type CountsBy = Iterable<readonly [string, number]>;

/**
 * What the gauges below read at each scrape (rather than keep counts that could drift): the parts of the app that
 * own the numbers replace these. Until then a gauge reads zero, or nothing.
 */
export interface MetricSources {
  /** Open graphql-ws connections. */
  websocketConnections: () => number;
  /** Running subscriptions by topic. */
  liveSubscriptions: () => CountsBy;
  /** Bytes held by the WebSocket path's parsed-document cache (bounded by `WS_DOCUMENT_CACHE_BYTES`). */
  websocketDocumentCacheBytes: () => number;
  /** The database pool of this process. */
  databasePool: () => { used: number; free: number; waiting: number };
  /** Jobs in the queue by task: waiting or running, and failed for good. Read from PostgreSQL: the whole deployment's. */
  jobQueue: () => Promise<Array<{ task: string; queued: number; failed: number }>>;
  /** Payments by status. Read from PostgreSQL: the whole deployment's. */
  paymentsByStatus: () => Promise<CountsBy>;
}

/** Prometheus metrics of one process, served on `GET /metrics`. A registry per app keeps tests apart. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sources: MetricSources = {
    websocketConnections: () => 0,
    liveSubscriptions: () => [],
    websocketDocumentCacheBytes: () => 0,
    databasePool: () => ({ used: 0, free: 0, waiting: 0 }),
    jobQueue: async () => [],
    paymentsByStatus: async () => [],
  };
  return {
    registry,
    sources,
    httpRequestDuration: new Histogram({
      name: 'atelier_http_request_duration_seconds',
      help: 'HTTP requests by route, method and status code.',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    graphqlOperations: new Counter({
      name: 'atelier_graphql_operations_total',
      help: 'GraphQL operations by operation name, transport and outcome (ok, or the first error code).',
      labelNames: ['operation', 'transport', 'outcome'] as const,
      registers: [registry],
    }),
    jobsRecovered: new Counter({
      name: 'atelier_jobs_recovered_total',
      help: 'Jobs freed to run again because the worker process that held them stopped heartbeating (it died mid-job).',
      registers: [registry],
    }),
    retentionRowsRemoved: new Counter({
      name: 'atelier_retention_rows_removed_total',
      help: 'Rows deleted or emptied by the retention jobs, by job (ended_sessions, email_bodies, audit_events, …).',
      labelNames: ['job'] as const,
      registers: [registry],
    }),
    publicResponseCache: new Counter({
      name: 'atelier_public_response_cache_lookups_total',
      help: 'Lookups of cacheable anonymous catalogue queries in the public response cache, by result (hit, miss).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    emailsSent: new Counter({
      name: 'atelier_emails_sent_total',
      help: "Emails delivered by this process's workers, by kind (ORDER_CONFIRMATION, NEW_ORDER) and transport (SMTP, OUTBOX).",
      labelNames: ['kind', 'transport'] as const,
      registers: [registry],
    }),
    stripeWebhooks: new Counter({
      name: 'atelier_stripe_webhooks_total',
      help: 'Stripe webhook deliveries by result (recorded, duplicate, rejected, error).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    websocketConnections: new Gauge({
      name: 'atelier_websocket_connections',
      help: 'Open graphql-ws connections of this instance.',
      registers: [registry],
      collect() {
        this.set(sources.websocketConnections());
      },
    }),
    websocketDocumentCacheBytes: new Gauge({
      name: 'atelier_websocket_document_cache_bytes',
      help: "Bytes held by this instance's cache of parsed WebSocket query texts (texts and syntax trees, estimated), at most WS_DOCUMENT_CACHE_BYTES.",
      registers: [registry],
      collect() {
        this.set(sources.websocketDocumentCacheBytes());
      },
    }),
    liveSubscriptions: new Gauge({
      name: 'atelier_live_subscriptions',
      help: 'Running GraphQL subscriptions of this instance, by topic (the subscription field: stockChanged, orderUpdated, myAccount).',
      labelNames: ['topic'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [topic, count] of sources.liveSubscriptions()) this.set({ topic }, count);
      },
    }),
    databasePoolConnections: new Gauge({
      name: 'atelier_db_pool_connections',
      help: "This process's PostgreSQL pool by state: used (lent out), free (idle), waiting (requests queued for a connection).",
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const pool = sources.databasePool();
        this.set({ state: 'used' }, pool.used);
        this.set({ state: 'free' }, pool.free);
        this.set({ state: 'waiting' }, pool.waiting);
      },
    }),
    jobQueueJobs: new Gauge({
      name: 'atelier_job_queue_jobs',
      help: 'Jobs in the queue (graphile_worker.jobs) by task and state: queued (waiting or running) or failed (no attempt left).',
      labelNames: ['task', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const { task, queued, failed } of await sources.jobQueue()) {
          this.set({ task, state: 'queued' }, queued);
          this.set({ task, state: 'failed' }, failed);
        }
      },
    }),
    payments: new Gauge({
      name: 'atelier_payments',
      help: 'Payments by status (REQUIRES_PAYMENT, PROCESSING, SUCCEEDED, FAILED, REFUNDED, CANCELLED), read from PostgreSQL.',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const [status, count] of await sources.paymentsByStatus()) this.set({ status }, count);
      },
    }),
    liveEventsDelivered: new Counter({
      name: 'atelier_live_events_delivered_total',
      help: "Committed changes handed to this instance's subscribers, by topic (stock, order); one per subscriber.",
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    liveEventLag: new Histogram({
      name: 'atelier_live_event_lag_seconds',
      help: "From a committed change (its transaction's time) to its delivery to this instance's subscribers, by topic.",
      labelNames: ['topic'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    checkouts: new Counter({
      name: 'atelier_checkouts_total',
      help: 'Checkout mutations by outcome: ok, or the error code (OUT_OF_STOCK, CONFLICT, BAD_USER_INPUT, …).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    rateLimitRefusals: new Counter({
      name: 'atelier_rate_limit_refusals_total',
      help: 'Operations refused with RATE_LIMITED, by transport (http, ws).',
      labelNames: ['transport'] as const,
      registers: [registry],
    }),
    paymentCircuitOpen: new Gauge({
      name: 'atelier_payment_circuit_open',
      help: '1 while the circuit breaker in front of Stripe is open or half open (calls fail fast), 0 when closed.',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
