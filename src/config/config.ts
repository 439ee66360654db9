import { z } from 'zod';
import { parseKeyRing, type KeyRingSpec } from './key-ring';

/**
 * Configuration comes from the environment only. It is parsed and validated once, at start-up:
 * a wrong or missing value stops the process with a message naming the variable.
 */
const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const configSchema = z.object({
  /** `production` turns off introspection and the landing page, masks internal errors. Default `development`. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** HTTP port of the API. Default 4000; 0 picks a free port (tests). */
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Interface to listen on. Default all interfaces. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * PostgreSQL connection string. Absent: an embedded PostgreSQL is started under `EMBEDDED_PG_DIR`. The scheme is
   * checked because `localhost:5432/atelier` is a valid URL (of scheme `localhost:`) that would fail only at connect.
   */
  DATABASE_URL: z.string().url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  /** Data directory of the embedded PostgreSQL, kept across restarts. Default `./.data/postgres`. */
  EMBEDDED_PG_DIR: z.string().min(1).default('./.data/postgres'),
  /** Port of the embedded PostgreSQL. Default 5433, so that it never clashes with a system PostgreSQL. */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(5433),
  /** Size of the PostgreSQL connection pool of one process. Default 10. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** How long a request waits for a free pool connection before it fails with SERVICE_UNAVAILABLE, in ms. Default 3 000. */
  DATABASE_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(3_000),
  /** PostgreSQL's `statement_timeout` of the API's connections, in ms: a longer statement fails (SERVICE_UNAVAILABLE). Default 10 000. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /** PostgreSQL's `lock_timeout` of the API's connections, in ms: a longer wait for a row lock fails (SERVICE_UNAVAILABLE). Default 5 000. */
  DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  /** `statement_timeout` and `lock_timeout` of migrations and of `npm run worker`, `seed`, `create-admin`, in ms. Default 300 000. */
  DATABASE_JOB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
  /** Redis connection string. Absent: single instance, pub/sub and limits in process. */
  REDIS_URL: z.string().url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  /**
   * The deadline of every Redis command a request waits on (publish, login limits, viewer generations), in ms. Past it
   * the fallback takes over as on a failure (the database, limits in memory); an invalidation is retried until it
   * lands. Default 250.
   */
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(250),
  /** Seeds the demo catalogue at start-up when the database has no product. Default true. */
  SEED_DEMO_DATA: booleanFlag.default(true),
  /** pino log level. Default `info`. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest accepted HTTP request body, in bytes. Default 100 000. */
  MAX_BODY_BYTES: z.coerce.number().int().min(1_000).max(10_000_000).default(100_000),
  /** Milliseconds given to open connections to finish on SIGTERM before they are closed. Default 10 000. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /**
   * Milliseconds between SIGTERM and the listener's close, during which `/readyz` answers 503 while everything else is
   * served as usual: the time a load balancer needs to see the drain and route new connections elsewhere, instead of
   * learning of it from refused connections. Default 5 000; 0 when NODE_ENV=test.
   */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).optional(),
  /** Comma-separated origins allowed by CORS, with credentials (the refresh cookie). Default: any origin, without credentials. */
  CORS_ORIGINS: z.string().optional(),
  /** HMAC secret signing access tokens, at least 32 characters. Required in production. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Lifetime of an access token, in seconds. Default 900 (15 minutes). */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  /** Lifetime of a refresh token (and so of an idle session), in days. Default 30. */
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /**
   * How long after its rotation a spent refresh token still answers, in seconds: two tabs refreshing at once or a
   * retried request get a valid successor of the same session instead of revoking it. Later, reuse revokes the
   * session. 0 turns the grace off. Default 30.
   */
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** Failed logins allowed per account (normalised email) within the window; then RATE_LIMITED. Default 10. */
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Failed logins allowed per client address within the window, whatever the account. Default 100. */
  LOGIN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(100),
  /** The window of both login limits, in seconds, counted from the first failure. Default 900 (15 minutes). */
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** How long a checkout holds its stock while payment is awaited, in minutes; fractions allowed (tests). Default 15. */
  RESERVATION_MINUTES: z.coerce.number().positive().max(1_440).default(15),
  /** Runs the job queue's workers (graphile-worker) inside this process. Default true; `npm run worker` runs them alone. */
  RUN_WORKER: booleanFlag.default(true),
  /** Jobs one worker process runs at the same time. Default 2. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(2),
  /**
   * How often a worker process writes its heartbeat (table `job_worker_heartbeat`) and looks for dead workers, in
   * milliseconds. A worker that missed three heartbeats is dead: the jobs it held locked (it crashed, was killed or ran
   * out of memory mid-job) run again at once, instead of after graphile-worker's 4 hours. So a dead worker's jobs
   * restart within about 4 × this (3 to be declared dead, 1 until a live process looks); a task that blocks the event
   * loop longer than 3 × this is taken for dead too, and its job may run twice. Default 5 000.
   */
  WORKER_HEARTBEAT_MS: z.coerce.number().int().min(50).max(600_000).default(5_000),
  /**
   * How often live subscriptions (stock, orders) are checked against PostgreSQL, in milliseconds, so that a
   * change whose notification was lost still reaches its subscribers. Default 5 000.
   */
  LIVE_RECONCILE_MS: z.coerce.number().int().min(50).max(600_000).default(5_000),
  /**
   * Longest life of an anonymous catalogue answer in the public response cache, in seconds. Writes through the API
   * invalidate it at once, on every instance; the TTL only bounds staleness after a write made outside the API (SQL by
   * hand, a script) or a change message lost with Redis. 0 turns the cache off. Default 30.
   */
  CATALOG_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(30),
  /**
   * The SMTP server that emails are sent through (nodemailer), `smtp://` or `smtps://`, credentials in the URL:
   * `smtps://user:password@mail.example:465`. Absent: nothing is sent; each email is written to the outbox
   * (table `email_message`), which operators read with the `emails` query. It holds a password: never logged.
   */
  SMTP_URL: z.string().url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  /** The sender of every email: `Name <address@domain>` or `address@domain`. Default `Atelier <no-reply@atelier.local>`. */
  MAIL_FROM: z
    .string()
    .regex(/^(?:[^<>@\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, 'must be `Name <address@domain>` or `address@domain`')
    .default('Atelier <no-reply@atelier.local>'),
  /** Stripe's secret API key (`sk_live_…`, `sk_test_…`, or a restricted `rk_…`). Absent outside production: the DEVELOPMENT provider. */
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_/, 'must be a Stripe secret key (sk_… or rk_…)').optional(),
  /** The signing secret of the webhook endpoint (`whsec_…`): `POST /webhooks/stripe` refuses events not signed with it. */
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_/, 'must be a Stripe webhook signing secret (whsec_…)').optional(),
  /** Another Stripe-compatible server, e.g. a local fake `http://127.0.0.1:12111`. Absent: Stripe's own API. */
  STRIPE_API_URL: z.string().url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** How long one request to Stripe may take before it is abandoned (and retried), in milliseconds. Default 10 000. */
  STRIPE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Retries of a failed request to Stripe (network errors, 409, 5xx), with the same idempotency key. Default 2. */
  STRIPE_MAX_NETWORK_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  /** How long the circuit breaker stays open (failing fast) once Stripe looks down, before it tries again, in milliseconds. Default 30 000. */
  STRIPE_CIRCUIT_RESET_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** DEVELOPMENT provider: how long after its checkout a payment is confirmed, in milliseconds. Default 2 000. */
  DEVELOPMENT_PAYMENT_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(2_000),
  /**
   * The key ring of personal data at rest: `{"current":"<id>","keys":{"<id>":"<32 bytes base64>"}}`. Required in
   * production; absent elsewhere, one is generated once and kept in `DATA_ENCRYPTION_KEYS_FILE` (with a warning).
   */
  DATA_ENCRYPTION_KEYS: z.string().optional(),
  /** Outside production, where a generated key ring is kept when DATA_ENCRYPTION_KEYS is absent. Default `./.data/data-encryption-keys.json`. */
  DATA_ENCRYPTION_KEYS_FILE: z.string().min(1).default('./.data/data-encryption-keys.json'),
  /** How long an emailed password-reset token can be used, in minutes. Default 30. */
  PASSWORD_RESET_TTL_MINUTES: z.coerce.number().int().min(1).max(1_440).default(30),
  /** Password-reset requests per email address per hour. Default 3. */
  PASSWORD_RESETS_PER_EMAIL: z.coerce.number().int().min(1).max(1_000).default(3),
  /** Password-reset requests per client address per hour. Default 20. */
  PASSWORD_RESETS_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(20),
  /** Retention: days an ended session, a spent or expired refresh token or reset token is kept after its end. Default 7. */
  RETENTION_SESSION_GRACE_DAYS: z.coerce.number().min(0).max(3_650).default(7),
  /** Retention: days a payment event keeps its raw payload (id, type and outcome stay). Default 90. */
  RETENTION_PAYMENT_EVENT_PAYLOAD_DAYS: z.coerce.number().min(0).max(3_650).default(90),
  /** Retention: days an email keeps its body in the outbox (the row that makes sending idempotent stays). Default 90. */
  RETENTION_EMAIL_BODY_DAYS: z.coerce.number().min(0).max(3_650).default(90),
  /** Retention: days the heartbeat row of a worker that stopped beating is kept. Default 1. */
  RETENTION_WORKER_HEARTBEAT_DAYS: z.coerce.number().min(0).max(3_650).default(1),
  /** Retention: days an audit event is kept. Default 365. */
  RETENTION_AUDIT_EVENT_DAYS: z.coerce.number().min(1).max(36_500).default(365),
  /** Retention: days the shipping address of a deleted account's orders is kept (legal accounting period). Default 3 650. */
  RETENTION_DELETED_BUYER_ADDRESS_DAYS: z.coerce.number().min(0).max(36_500).default(3_650),
  /**
   * Which proxies' `X-Forwarded-For` decides the client address, for HTTP and WebSocket alike: Express's `trust proxy`
   * values (`loopback`, `uniquelocal`, a comma-separated list of addresses or CIDRs, a hop count, `true`, `false`).
   * Default `loopback`: a proxy on the same machine.
   */
  TRUST_PROXY: z.string().min(1).default('loopback'),
  /** The most one operation may cost (see the README's cost model), variables included. Default 5 000. */
  QUERY_MAX_COST: z.coerce.number().int().min(10).max(1_000_000).default(5_000),
  /** Size of each client's query budget (a leaky bucket of cost points); 0 turns budgets off. Default 50 000. */
  QUERY_BUDGET_POINTS: z.coerce.number().int().min(0).max(100_000_000).default(50_000),
  /** Cost points given back to each client's budget per second. Default 1 000. */
  QUERY_BUDGET_RESTORE_PER_SECOND: z.coerce.number().positive().max(10_000_000).default(1_000),
  /** Failed logins allowed per (account, client address) pair within the window. Default 5. */
  LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS: z.coerce.number().int().min(1).max(10_000).default(5),
  /** Sign-ups allowed per client address within `SIGN_UP_WINDOW_SECONDS`. Default 20. */
  SIGN_UPS_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(20),
  /** The window of the sign-up limit, in seconds. Default 3 600. */
  SIGN_UP_WINDOW_SECONDS: z.coerce.number().int().min(1).max(604_800).default(3_600),
  /** Subscriptions one WebSocket may hold at once. Default 100. */
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().min(1).max(100_000).default(100),
  /** WebSockets open at once from one client address. Default 50. */
  WS_MAX_SOCKETS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(50),
  /** WebSockets open at once for one user. Default 20. */
  WS_MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(1_000_000).default(20),
  /** Messages one WebSocket may send per second (a burst of as many is allowed); beyond, it is closed with 4429. Default 50. */
  WS_MAX_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(50),
  /** Bytes of query text kept in the WebSocket path's cache of parsed documents. Default 5 000 000. */
  WS_DOCUMENT_CACHE_BYTES: z.coerce.number().int().min(0).max(1_000_000_000).default(5_000_000),
  /** Serves `/metrics` on this port alone (not on the API's). Absent: on the API port, and only with `METRICS_TOKEN` in production. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** A bearer token that `/metrics` requires (`Authorization: Bearer <token>`), at least 16 characters. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Unpaid orders (awaiting payment) one buyer may hold at once; beyond, Checkout fails with CONFLICT. Default 3. */
  MAX_UNPAID_ORDERS_PER_BUYER: z.coerce.number().int().min(1).max(1_000).default(3),
  /** Units of one product one buyer may hold across unpaid orders; beyond, Checkout fails with CONFLICT. Default 99. */
  MAX_UNPAID_UNITS_PER_PRODUCT: z.coerce.number().int().min(1).max(1_000_000).default(99),
  /** `Strict-Transport-Security` max-age in seconds; 0 (default) sends none (set it where TLS ends at this server or its proxy). */
  HSTS_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(63_072_000).default(0),
  /**
   * Tracing (src/infra/tracing.ts): the OTLP endpoint that spans are exported to, e.g. `http://otel-collector:4318`.
   * Absent: no tracing, and nothing of the OpenTelemetry SDK is loaded. The SDK reads it itself (with the other
   * standard `OTEL_*` variables), before this validation runs; it is checked here so that a typo stops the start.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** The service name of this process's spans. Default `atelier-api`, and `atelier-worker` for `npm run worker`. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

/** Every environment variable the configuration reads (deployment files are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(configSchema.shape);

/**
 * Outside production only, so that `npm start` works with no set-up. It is public: never use it for real.
 * A production start without JWT_SECRET stops instead.
 */
export const DEVELOPMENT_JWT_SECRET = 'atelier-development-only-secret-never-use-in-production';

export type Config = Readonly<{
  nodeEnv: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  embeddedPostgres: { dataDir: string; port: number };
  databasePoolSize: number;
  /** Bounds on every wait on PostgreSQL, in ms: pool acquisition, and the API's and the jobs' statement and lock timeouts. */
  databaseTimeouts: DatabaseTimeouts;
  redisUrl: string | undefined;
  /** The deadline of one Redis command, in ms. */
  redisCommandTimeoutMs: number;
  seedDemoData: boolean;
  logLevel: string;
  maxBodyBytes: number;
  shutdownGraceMs: number;
  /** On SIGTERM: how long readiness is false before the listener closes (see SHUTDOWN_DELAY_MS). */
  shutdownDelayMs: number;
  corsOrigins: string[] | undefined;
  auth: { jwtSecret: string; usesDevelopmentSecret: boolean; accessTokenTtlSeconds: number; refreshTokenTtlDays: number; refreshReuseGraceSeconds: number };
  loginLimits: { failuresPerAccount: number; failuresPerAddress: number; windowSeconds: number };
  /** Checkout: how long an order holds its stock, in milliseconds. */
  orders: { reservationMs: number };
  /** The job queue: whether this process runs workers, how many jobs at once, and their heartbeat period. */
  jobs: { runWorker: boolean; concurrency: number; heartbeatMs: number };
  /** Live subscriptions: the period of the check against PostgreSQL that recovers lost notifications. */
  live: { reconcileMs: number };
  /** 0 when the public response cache is off. */
  catalogCacheTtlSeconds: number;
  /** Emails: the SMTP server's URL (null: the outbox only, nothing is sent) and the sender. */
  mail: MailConfig;
  payments: PaymentsConfig;
  /** Personal data at rest: the key ring (null outside production when absent: a kept, generated one is used). */
  dataEncryption: { keyRing: KeyRingSpec | null; developmentKeyFile: string };
  /** Password resets: token lifetime and request limits (per hour). */
  passwordReset: { ttlMs: number; perEmail: number; perAddress: number };
  /** Retention periods of the scheduled purges, in days. */
  retention: RetentionConfig;
  /** Abuse resistance: client address, query cost and budgets, sign-ups, WebSocket caps, metrics, commerce limits, headers. */
  limits: LimitsConfig;
}>;

/** How long each kind of row outlives its use, in days (see `src/modules/privacy/retention.jobs.ts`). */
export type RetentionConfig = Readonly<{
  sessionGraceDays: number;
  paymentEventPayloadDays: number;
  emailBodyDays: number;
  workerHeartbeatDays: number;
  auditEventDays: number;
  deletedBuyerAddressDays: number;
}>;

export type LimitsConfig = Readonly<{
  /** Express's `trust proxy` value, parsed: decides `req.ip` and the WebSocket's client address. */
  trustProxy: boolean | number | string;
  queryMaxCost: number;
  /** null: budgets off. */
  queryBudget: { points: number; restorePerSecond: number } | null;
  loginFailuresPerAccountAndAddress: number;
  signUps: { perAddress: number; windowSeconds: number };
  webSocket: { maxSubscriptionsPerSocket: number; maxSocketsPerAddress: number; maxSocketsPerUser: number; maxMessagesPerSecond: number; documentCacheBytes: number };
  metrics: { port: number | null; token: string | null };
  orders: { maxUnpaidOrders: number; maxUnpaidUnitsPerProduct: number };
  hstsMaxAgeSeconds: number;
}>;

/** Who takes payments: Stripe when STRIPE_SECRET_KEY is set, else (never in production) the DEVELOPMENT provider. */
export type PaymentsConfig = Readonly<{
  stripe: StripeConfig | null;
  /** Verifies `POST /webhooks/stripe`; null: every webhook is refused. */
  webhookSecret: string | null;
  /** DEVELOPMENT provider: delay from the payment's creation to its confirmation. */
  developmentConfirmDelayMs: number;
}>;

export type StripeConfig = Readonly<{
  secretKey: string;
  /** null: Stripe's own API. */
  apiUrl: string | null;
  timeoutMs: number;
  maxNetworkRetries: number;
  circuitResetMs: number;
}>;

export type DatabaseTimeouts = Readonly<{ acquireMs: number; statementMs: number; lockMs: number; jobStatementMs: number }>;

export type MailConfig = Readonly<{ smtpUrl: string | null; from: string }>;

/** Thrown when the environment does not describe a valid configuration; its message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses and validates the environment. Throws {@link ConfigError} naming each wrong or missing variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set": `DATABASE_URL= npm start` must behave like no DATABASE_URL at all.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const missingInProduction = [
    ...(e.JWT_SECRET ? [] : ['JWT_SECRET: required in production (at least 32 random characters)']),
    ...(e.STRIPE_SECRET_KEY ? [] : ['STRIPE_SECRET_KEY: required in production (the DEVELOPMENT payment provider takes no money)']),
    ...(e.STRIPE_WEBHOOK_SECRET ? [] : ['STRIPE_WEBHOOK_SECRET: required in production (payments are confirmed by signed webhooks)']),
    ...(e.DATA_ENCRYPTION_KEYS ? [] : ['DATA_ENCRYPTION_KEYS: required in production (the key ring of personal data at rest)']),
  ];
  if (e.NODE_ENV === 'production' && (!e.CORS_ORIGINS || e.CORS_ORIGINS.split(',').some((origin) => origin.trim() === '*'))) {
    missingInProduction.push('CORS_ORIGINS: required in production, a comma-separated list of origins (never *)');
  }
  if (e.NODE_ENV === 'production' && e.METRICS_PORT === undefined && !e.METRICS_TOKEN) {
    missingInProduction.push('METRICS_PORT or METRICS_TOKEN: required in production, so that /metrics is never open on the API port');
  }
  if (e.QUERY_BUDGET_POINTS > 0 && e.QUERY_BUDGET_POINTS < e.QUERY_MAX_COST) {
    throw new ConfigError('Invalid configuration:\n  QUERY_BUDGET_POINTS: must be 0 (off) or at least QUERY_MAX_COST, or the costliest allowed operation could never run');
  }
  if (e.NODE_ENV === 'production' && missingInProduction.length) {
    throw new ConfigError(`Invalid configuration:\n  ${missingInProduction.join('\n  ')}`);
  }
  let keyRing: KeyRingSpec | null = null;
  try {
    keyRing = e.DATA_ENCRYPTION_KEYS ? parseKeyRing(e.DATA_ENCRYPTION_KEYS) : null;
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  DATA_ENCRYPTION_KEYS: ${(error as Error).message}`);
  }
  return {
    nodeEnv: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    embeddedPostgres: { dataDir: e.EMBEDDED_PG_DIR, port: e.EMBEDDED_PG_PORT },
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseTimeouts: {
      acquireMs: e.DATABASE_ACQUIRE_TIMEOUT_MS,
      statementMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      lockMs: e.DATABASE_LOCK_TIMEOUT_MS,
      jobStatementMs: e.DATABASE_JOB_STATEMENT_TIMEOUT_MS,
    },
    redisUrl: e.REDIS_URL,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    seedDemoData: e.SEED_DEMO_DATA,
    logLevel: e.LOG_LEVEL,
    maxBodyBytes: e.MAX_BODY_BYTES,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS ?? (e.NODE_ENV === 'test' ? 0 : 5_000),
    corsOrigins: e.CORS_ORIGINS?.split(',').map((origin) => origin.trim()).filter(Boolean),
    auth: {
      jwtSecret: e.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
      usesDevelopmentSecret: !e.JWT_SECRET,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
      refreshReuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
    },
    loginLimits: {
      failuresPerAccount: e.LOGIN_FAILURES_PER_ACCOUNT,
      failuresPerAddress: e.LOGIN_FAILURES_PER_ADDRESS,
      windowSeconds: e.LOGIN_FAILURE_WINDOW_SECONDS,
    },
    orders: { reservationMs: Math.round(e.RESERVATION_MINUTES * 60_000) },
    jobs: { runWorker: e.RUN_WORKER, concurrency: e.WORKER_CONCURRENCY, heartbeatMs: e.WORKER_HEARTBEAT_MS },
    live: { reconcileMs: e.LIVE_RECONCILE_MS },
    catalogCacheTtlSeconds: e.CATALOG_CACHE_TTL_SECONDS,
    mail: { smtpUrl: e.SMTP_URL ?? null, from: e.MAIL_FROM },
    payments: {
      stripe: e.STRIPE_SECRET_KEY
        ? {
            secretKey: e.STRIPE_SECRET_KEY,
            apiUrl: e.STRIPE_API_URL ?? null,
            timeoutMs: e.STRIPE_TIMEOUT_MS,
            maxNetworkRetries: e.STRIPE_MAX_NETWORK_RETRIES,
            circuitResetMs: e.STRIPE_CIRCUIT_RESET_MS,
          }
        : null,
      webhookSecret: e.STRIPE_WEBHOOK_SECRET ?? null,
      developmentConfirmDelayMs: e.DEVELOPMENT_PAYMENT_DELAY_MS,
    },
    dataEncryption: { keyRing, developmentKeyFile: e.DATA_ENCRYPTION_KEYS_FILE },
    passwordReset: { ttlMs: e.PASSWORD_RESET_TTL_MINUTES * 60_000, perEmail: e.PASSWORD_RESETS_PER_EMAIL, perAddress: e.PASSWORD_RESETS_PER_ADDRESS },
    retention: {
      sessionGraceDays: e.RETENTION_SESSION_GRACE_DAYS,
      paymentEventPayloadDays: e.RETENTION_PAYMENT_EVENT_PAYLOAD_DAYS,
      emailBodyDays: e.RETENTION_EMAIL_BODY_DAYS,
      workerHeartbeatDays: e.RETENTION_WORKER_HEARTBEAT_DAYS,
      auditEventDays: e.RETENTION_AUDIT_EVENT_DAYS,
      deletedBuyerAddressDays: e.RETENTION_DELETED_BUYER_ADDRESS_DAYS,
    },
    limits: {
      trustProxy: parseTrustProxy(e.TRUST_PROXY),
      queryMaxCost: e.QUERY_MAX_COST,
      queryBudget: e.QUERY_BUDGET_POINTS > 0 ? { points: e.QUERY_BUDGET_POINTS, restorePerSecond: e.QUERY_BUDGET_RESTORE_PER_SECOND } : null,
      loginFailuresPerAccountAndAddress: e.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS,
      signUps: { perAddress: e.SIGN_UPS_PER_ADDRESS, windowSeconds: e.SIGN_UP_WINDOW_SECONDS },
      webSocket: {
        maxSubscriptionsPerSocket: e.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
        maxSocketsPerAddress: e.WS_MAX_SOCKETS_PER_ADDRESS,
        maxSocketsPerUser: e.WS_MAX_SOCKETS_PER_USER,
        maxMessagesPerSecond: e.WS_MAX_MESSAGES_PER_SECOND,
        documentCacheBytes: e.WS_DOCUMENT_CACHE_BYTES,
      },
      metrics: { port: e.METRICS_PORT ?? null, token: e.METRICS_TOKEN ?? null },
      orders: { maxUnpaidOrders: e.MAX_UNPAID_ORDERS_PER_BUYER, maxUnpaidUnitsPerProduct: e.MAX_UNPAID_UNITS_PER_PRODUCT },
      hstsMaxAgeSeconds: e.HSTS_MAX_AGE_SECONDS,
    },
  };
}

/** `TRUST_PROXY` as Express takes it: booleans and hop counts typed, anything else (names, addresses, CIDRs) as given. */
function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}
