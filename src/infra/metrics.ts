import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process, served on `GET /metrics`. A registry per app keeps tests apart. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
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
    paymentCircuitOpen: new Gauge({
      name: 'atelier_payment_circuit_open',
      help: '1 while the circuit breaker in front of Stripe is open or half open (calls fail fast), 0 when closed.',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
