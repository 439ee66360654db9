import autocannon from 'autocannon';
import type { StatementCounter } from './pg-statement-counter';

/** One GraphQL request, as a client sends it: `POST /graphql` with a JSON body. */
export interface GraphqlRequest {
  /** How the report names it, e.g. `Catalog(first: 20)`. */
  label: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Extra headers, e.g. `authorization` for a scenario that logs in. */
  headers?: Record<string, string>;
}

export interface LoadSettings {
  /** Concurrent connections. Default 20 (`BENCH_CONNECTIONS`). */
  connections: number;
  /** Seconds of load that are measured. Default 10 (`BENCH_DURATION`). */
  durationSeconds: number;
  /** Seconds of load before, not measured: JIT, pools and caches settle. Default 2 (`BENCH_WARMUP`). */
  warmupSeconds: number;
}

/** What one measured load gives. Latencies in milliseconds. */
export interface LoadResult {
  label: string;
  /** Responses received in the measured window. */
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Statements PostgreSQL received for the measured window's requests, divided by the requests sent. */
  statementsPerRequest: number;
  /** Statements of one request on its own, before the load: exact, where the average above is not quite. */
  statementsOneRequest: number;
  /**
   * The server's CPU time during the measured window per request answered, in milliseconds: steadier than
   * req/s on a machine shared with other work. Undefined when the server's CPU time cannot be read.
   */
  serverCpuMsPerRequest: number | undefined;
}

/** What is loaded: the server's GraphQL endpoint, the statement counter in front of its database, its CPU clock. */
export interface LoadTarget {
  graphqlUrl: string;
  counter: StatementCounter;
  cpuSeconds(): number | undefined;
}

/** Reads the settings from the environment, so that a quick run can be shorter: `BENCH_DURATION=3 npm run bench`. */
export function loadSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LoadSettings {
  const read = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}`);
    return value;
  };
  return {
    connections: read('BENCH_CONNECTIONS', 20, 1, 500),
    durationSeconds: read('BENCH_DURATION', 10, 1, 300),
    warmupSeconds: read('BENCH_WARMUP', 2, 0, 60),
  };
}

/**
 * Loads one GraphQL request on the server with autocannon, on 127.0.0.1 only, for a bounded time.
 * First one request alone: it must succeed without GraphQL errors (else this throws: the numbers of a
 * failing operation mean nothing), and its statements are counted exactly. Then the warm-up, then the
 * measured window, during which every response is checked too: an HTTP status other than 2xx, a transport
 * error or a body with `"errors"` makes this throw.
 */
export async function measureLoad(target: LoadTarget, request: GraphqlRequest, settings: LoadSettings): Promise<LoadResult> {
  const { graphqlUrl, counter } = target;
  const url = new URL(graphqlUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to load ${url.host}: benchmarks run on 127.0.0.1 only`);
  const body = JSON.stringify({ query: request.query, variables: request.variables ?? {} });
  // CSRF prevention in Apollo Server wants a non-simple content type: JSON it is.
  const headers = { 'content-type': 'application/json', accept: 'application/json', ...request.headers };

  // The previous load's last requests may still be running on the server: let them finish first.
  await settle(counter);
  counter.reset();
  const single = await fetch(graphqlUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  const singleText = await single.text();
  if (!single.ok || singleText.includes('"errors"')) {
    throw new Error(`${request.label} failed before the load: HTTP ${single.status} ${singleText.slice(0, 500)}`);
  }
  const statementsOneRequest = counter.count;

  let graphqlErrors = 0;
  const run = (seconds: number) =>
    autocannon({
      url: graphqlUrl,
      connections: settings.connections,
      duration: seconds,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          headers,
          body,
          onResponse: (_status, responseBody) => {
            if (responseBody.includes('"errors"')) graphqlErrors += 1;
          },
        },
      ],
    });
  if (settings.warmupSeconds > 0) await run(settings.warmupSeconds);
  await settle(counter);
  graphqlErrors = 0;
  counter.reset();
  const cpuBefore = target.cpuSeconds();
  const result = await run(settings.durationSeconds);
  const cpuAfter = target.cpuSeconds();
  // Requests in flight when autocannon stops still run to the end on the server: their statements are
  // counted once they are done, and the division is by the requests sent, not only those answered.
  await settle(counter);
  const statements = counter.count;

  const failures = result.non2xx + result.errors + result.timeouts + graphqlErrors;
  if (failures > 0) {
    throw new Error(
      `${request.label}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ${result.timeouts} timeouts, ` +
        `${graphqlErrors} responses with GraphQL errors under load`,
    );
  }
  const requests = result.requests.total;
  return {
    label: request.label,
    requests,
    requestsPerSecond: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    statementsPerRequest: result.requests.sent ? statements / result.requests.sent : 0,
    statementsOneRequest,
    serverCpuMsPerRequest: cpuBefore !== undefined && cpuAfter !== undefined && requests ? ((cpuAfter - cpuBefore) * 1000) / requests : undefined,
  };
}

/** How long PostgreSQL must receive no statement for the server to count as idle. */
const QUIET_MS = 300;
/** Longest wait for that, after which the count is taken as it is. */
const SETTLE_LIMIT_MS = 10_000;

/** Waits until the statement count has not moved for {@link QUIET_MS} (at most {@link SETTLE_LIMIT_MS}). */
async function settle(counter: StatementCounter): Promise<void> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  let last = counter.count;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    if (counter.count === last) return;
    last = counter.count;
  }
}
