import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print } from 'graphql';
import type { Client as WsClient } from 'graphql-ws';
import { Client } from 'pg';
import { freePort } from '../../scripts/lib/scratch-database';
import { Role } from '../../src/modules/accounts/user.entity';
import { runSql } from '../../src/shared/sql';
import { ADDRESS } from '../fixtures/addresses';
import { createProducts, createShop, type TestShop } from '../fixtures/shops';
import { AddToCartDocument, CheckoutDocument, MyOrdersDocument } from '../generated/graphql';
import { ensureBuilt } from '../utils/build';
import { createUser, createUsers, type TestUser } from '../utils/buyers';
import { postGraphql, wsClient } from '../utils/clients';
import { availableOf, ledgerProblems } from '../utils/ledger';
import { eventsOf, liveStock } from '../utils/live-stock';
import { recordingLogger } from '../utils/logs';
import { dataOf, sendAs } from '../utils/operations';
import { spawnChild, type ChildServer } from '../utils/processes';
import { startTestServer, type TestServer } from '../utils/test-server';
import { timed } from '../utils/timing';
import { waitFor } from '../utils/wait';

const STOCK = 30;
/** More buyers than units: an oversell would show as more than STOCK orders. */
const BUYERS = 45;
/** Buyers start their checkouts this far apart, so that checkouts are made before, during and after the outage. */
const STAGGER_MS = 40;
/** Orders answered before PostgreSQL is stopped. */
const ORDERS_BEFORE_STOP = 8;
/** Checkout answers received while PostgreSQL is down before it is started again: proof the outage was felt. */
const REFUSALS_DURING_OUTAGE = 5;
/** A client's pause before it retries a SERVICE_UNAVAILABLE (shorter than Retry-After, to press the server). */
const RETRY_PAUSE_MS = 100;
/**
 * The generous bound of the test; what it measures is printed. Issue 12's run by hand: the server answered again
 * within 0.6 s of PostgreSQL's return.
 */
const RECOVERY_BOUND_MS = 10_000;
/** The longest any single answer may take, outage or not (nothing hangs: each wait is bounded). */
const ANSWER_BOUND_MS = 20_000;

/** The simulated clients' pacing (staggered starts, back-off between retries, a poller's interval): no test waits on it. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  at: number;
  ms: number;
  status: number;
  /** The order's id, or the first error's code. */
  outcome: string;
  /** The first error's path, to tell which field failed. */
  path?: string;
}

/**
 * PostgreSQL itself stopped (its fast shutdown: every session ended, as a restart or a failover does) and started
 * again while buyers check out, a dashboard watches the stock live and a reader polls: a server of its own, on a
 * PostgreSQL of its own (the tests' shared one cannot be stopped under the other test files).
 */
describe('PostgreSQL stopped and started again under load', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'atelier-pg-restart-'));
  let port: number;
  let postgres: ChildServer | undefined;
  let server: TestServer;
  let ws: WsClient | undefined;
  /** The server's error lines: what an unexpected answer came from, printed when there is one. */
  const serverErrors = recordingLogger('error');

  const startPostgres = async () => {
    postgres = await spawnChild(
      'tests/fixtures/embedded-postgres-server.js',
      { PG_DATA_DIR: dataDir, PG_PORT: String(port) },
      { http: false, readyText: 'embedded-postgres ready', readyTimeoutMs: 60_000 },
    );
  };
  const databaseUrl = () => `postgres://postgres:postgres@127.0.0.1:${port}/atelier`;

  beforeAll(async () => {
    await ensureBuilt();
    port = await freePort();
    await startPostgres();
    // The server migrates the fresh database itself; its database is not dropped (the whole cluster goes).
    server = await startTestServer(
      { LIVE_RECONCILE_MS: '500' },
      { url: databaseUrl(), name: 'atelier', drop: async () => undefined },
      { logger: serverErrors.logger },
    );
  }, 120_000);
  afterAll(async () => {
    await ws?.dispose();
    await server?.close();
    await postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('should answer again within seconds of its return, without oversell, lost stock version or half-written order', async () => {
    const shop: TestShop = await createShop(server);
    // The probe (restocked until the subscription is known to be live) apart from the product sold, whose stock stays STOCK.
    const [probeId, productId] = await createProducts(server, shop, [{ stock: 0 }, { stock: STOCK }]);
    const buyers = await createUsers(server, BUYERS, Role.BUYER);
    for (const buyer of buyers) dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId: productId!, quantity: 1 }));
    ws = wsClient(server.wsUrl);
    const { sub } = await liveStock(ws, { productIds: [probeId!, productId!] }, { graphqlUrl: server.graphqlUrl, ownerToken: shop.owner.token, productId: probeId! });

    const answers: Answer[] = [];
    const ask = async (token: string, body: unknown, orderOf: (data: Record<string, unknown>) => string | undefined): Promise<Answer> => {
      const at = Date.now();
      const { value, ms } = await timed(
        () => postGraphql(server.graphqlUrl, body, { authorization: `Bearer ${token}` }).catch((error: Error) => ({ status: 0, body: { errors: [{ message: error.message, extensions: { code: 'NETWORK' } }] } })),
        ANSWER_BOUND_MS,
      ).catch(() => ({ value: { status: 0, body: { errors: [{ extensions: { code: 'NO_ANSWER' } }] } }, ms: ANSWER_BOUND_MS }));
      const { data, errors } = value.body as { data?: Record<string, unknown> | null; errors?: { path?: unknown[]; extensions?: { code?: unknown } }[] };
      const outcome = (data && orderOf(data)) ?? String(errors?.[0]?.extensions?.code);
      const answer: Answer = { at, ms, status: value.status, outcome, ...(errors?.[0]?.path ? { path: errors[0].path.join('.') } : {}) };
      answers.push(answer);
      return answer;
    };

    // Each buyer checks out with one key until it gets an order or OUT_OF_STOCK, retrying SERVICE_UNAVAILABLE as told.
    const checkoutBody = { query: print(CheckoutDocument), variables: { input: { idempotencyKey: 'restart', shippingAddress: ADDRESS } } };
    const checkoutAnswers: Answer[] = [];
    /** Cleared when the test ends, passed or failed: the clients stop retrying and polling. */
    let running = true;
    const settle = async (buyer: TestUser, index: number): Promise<string> => {
      await pause(index * STAGGER_MS);
      for (;;) {
        const answer = await ask(buyer.token, checkoutBody, (data) => (data.checkout as { id?: string } | null)?.id);
        checkoutAnswers.push(answer);
        if (answer.outcome !== 'SERVICE_UNAVAILABLE' || !running) return answer.outcome;
        await pause(RETRY_PAUSE_MS);
      }
    };
    const settled = Promise.all(buyers.map(settle));

    // A reader polls all along: its first answer after PostgreSQL's return measures the recovery.
    const reader: TestUser = await createUser(server, Role.BUYER);
    const readerBody = { query: print(MyOrdersDocument), variables: { first: 1 } };
    const readerAnswers: Answer[] = [];
    const polling = (async () => {
      while (running) {
        readerAnswers.push(await ask(reader.token, readerBody, (data) => (data.myOrders ? 'ok' : undefined)));
        await pause(25);
      }
    })();

    const isOrder = (answer: Answer) => /^[0-9a-f-]{36}$/.test(answer.outcome);
    /** What was answered since `since`, by outcome, for the failure messages. */
    const summary = (since: number) => {
      const counts = new Map<string, number>();
      for (const answer of answers.filter((each) => each.at >= since)) {
        const key = `${answer.outcome === 'ok' || isOrder(answer) ? 'answered' : answer.outcome} ${answer.status}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return JSON.stringify(Object.fromEntries(counts));
    };
    let stoppedAt = 0;
    let backAt = 0;
    let recoveryMs = 0;
    let outcomes: string[];
    try {
      await waitFor(() => checkoutAnswers.filter(isOrder).length >= ORDERS_BEFORE_STOP, 30_000, `${ORDERS_BEFORE_STOP} orders before the stop`).catch(
        (error: Error) => {
          throw new Error(`${error.message}; answered: ${summary(0)}`);
        },
      );
      stoppedAt = Date.now();
      await postgres!.stop();
      try {
        await waitFor(
          () => answers.filter((answer) => answer.at > stoppedAt && answer.outcome === 'SERVICE_UNAVAILABLE').length >= REFUSALS_DURING_OUTAGE,
          15_000,
          'requests refused during the outage',
        ).catch((error: Error) => {
          throw new Error(`${error.message}; answered since the stop: ${summary(stoppedAt)}`);
        });
      } finally {
        await startPostgres();
        // When PostgreSQL accepts connections again, seen by a client of the test (the child's line arrives later).
        await waitFor(
          async () => {
            const probe = new Client({ connectionString: databaseUrl() });
            probe.on('error', () => undefined);
            const ok = await probe.connect().then(() => probe.query('select 1').then(() => true), () => false);
            await probe.end().catch(() => undefined);
            return ok;
          },
          30_000,
          'PostgreSQL to accept connections',
          10,
        );
        backAt = Date.now();
      }

      // The first answer with data to arrive after PostgreSQL's return, whenever it was sent: the server answers again.
      const recovered = () => readerAnswers.find((answer) => answer.at + answer.ms >= backAt && answer.outcome === 'ok');
      await waitFor(() => Boolean(recovered()), RECOVERY_BOUND_MS, 'the reader to be answered again').catch((error: Error) => {
        throw new Error(`${error.message}; answered since PostgreSQL's return: ${summary(backAt)}`);
      });
      recoveryMs = recovered()!.at + recovered()!.ms - backAt;
      outcomes = await settled;
    } finally {
      running = false;
      await Promise.allSettled([settled, polling]);
    }
    console.log(
      `PostgreSQL restart: down ${backAt - stoppedAt} ms; the server answered again ${recoveryMs.toFixed(0)} ms after PostgreSQL accepted connections; ` +
        `answers since the stop: ${summary(stoppedAt)}; the reader's first answers after it (sent at, ms, outcome): ` +
        JSON.stringify(readerAnswers.filter((answer) => answer.at + answer.ms >= backAt).slice(0, 5).map((answer) => [answer.at - backAt, Math.round(answer.ms), answer.outcome])),
    );
    expect(recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);

    // Every answer came within the bound, as an order, OUT_OF_STOCK or SERVICE_UNAVAILABLE with 503: never a 500,
    // never INTERNAL_SERVER_ERROR, never a dropped connection.
    expect(answers.filter((answer) => answer.ms > ANSWER_BOUND_MS)).toEqual([]);
    const unexpected = answers.filter(
      (answer) => !(isOrder(answer) && answer.status === 200) && !(answer.outcome === 'ok' && answer.status === 200) &&
        !(answer.outcome === 'OUT_OF_STOCK' && answer.status === 200) && !(answer.outcome === 'SERVICE_UNAVAILABLE' && answer.status === 503),
    );
    if (unexpected.length) console.log(`the server's errors: ${JSON.stringify(serverErrors.lines)}`);
    expect(unexpected).toEqual([]);

    // Every buyer ended with an order or OUT_OF_STOCK: exactly STOCK orders, each its buyer's one order for the key.
    expect(outcomes.filter((outcome) => outcome !== 'OUT_OF_STOCK' && !/^[0-9a-f-]{36}$/.test(outcome))).toEqual([]);
    const orderIds = outcomes.filter((outcome) => outcome !== 'OUT_OF_STOCK');
    expect(orderIds).toHaveLength(STOCK);
    expect(new Set(orderIds).size).toBe(STOCK);

    const em = server.database.orm.em.fork();
    expect(await ledgerProblems(em)).toEqual([]);
    expect(await availableOf(em, productId!)).toBe(0);
    const stored = await runSql<{ id: string; buyer_id: string }>(em, 'select id, buyer_id from customer_order');
    expect(stored.map((order) => order.id).sort()).toEqual([...orderIds].sort());
    buyers.forEach((buyer, index) => {
      if (outcomes[index] !== 'OUT_OF_STOCK') expect(stored.find((order) => order.id === outcomes[index])?.buyer_id).toBe(buyer.id);
    });
    // Nothing half-written: each order has its line, its payment and its expiry job, and its buyer's cart is empty.
    const [incomplete] = await runSql<{ without_line: number; without_payment: number; without_expiry: number; carts_left: number }>(
      em,
      `select (select count(*)::int from customer_order o where not exists (select 1 from order_line l where l.order_id = o.id)) as without_line,
              (select count(*)::int from customer_order o where (select count(*) from payment p where p.order_id = o.id) <> 1) as without_payment,
              (select count(*)::int from customer_order o where not exists (
                 select 1 from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
                  where t.identifier = 'expire_order' and j.payload->>'orderId' = o.id::text)) as without_expiry,
              (select count(*)::int from cart_line l join customer_order o on o.buyer_id = (select c.buyer_id from cart c where c.id = l.cart_id)) as carts_left`,
    );
    expect(incomplete).toEqual({ without_line: 0, without_payment: 0, without_expiry: 0, carts_left: 0 });

    // The live path: every version of the product reached the dashboard, in order, once, outage or not.
    const [{ stock_version: lastVersion }] = (await runSql<{ stock_version: number }>(em, 'select stock_version from product where id = ?', [productId!])) as [
      { stock_version: number },
    ];
    await waitFor(() => eventsOf(sub, productId!).at(-1)?.version === lastVersion, 10_000, `version ${lastVersion} to reach the dashboard`);
    expect(lastVersion).toBe(STOCK);
    // An event answered with an error instead of its data would be a version the dashboard never saw.
    expect(sub.results.filter((result) => result.errors).map((result) => result.errors)).toEqual([]);
    expect(eventsOf(sub, productId!).map((event) => event.version)).toEqual(Array.from({ length: lastVersion }, (_unused, index) => index + 1));
  }, 120_000);
});
