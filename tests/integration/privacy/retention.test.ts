import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../../src/infra/logger';
import { PURGES, retentionCron, retentionTaskName, retentionTasks } from '../../../src/modules/privacy/retention.jobs';
import { systemClock } from '../../../src/shared/clock';
import { newId } from '../../../src/shared/ids';
import { runSql } from '../../../src/shared/sql';
import { ADDRESS } from '../../fixtures/addresses';
import { createProducts, createShop } from '../../fixtures/shops';
import { AddToCartDocument, CheckoutDocument } from '../../generated/graphql';
import { createUser, type TestUser } from '../../utils/buyers';
import { byHand } from '../../utils/jobs';
import { dataOf, sendAs } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

describe('Retention jobs', () => {
  let server: TestServer;
  let user: TestUser;
  const removed = new Map<string, number>();

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
    user = await createUser(server);
  });
  afterAll(() => server?.close());

  const sql = <T>(text: string, params: unknown[] = []) => runSql<T>(server.database.orm.em.fork(), text, params);
  const ids = async (table: string, column = 'id') => (await sql<{ id: string }>(`select ${column}::text as id from ${table}`)).map((row) => row.id).sort();

  /** Runs the purge's graphile-worker task, as its cron would. */
  async function run(name: string) {
    const tasks = retentionTasks({
      orm: server.database.orm,
      clock: systemClock,
      logger: createLogger('silent'),
      retention: server.config.retention,
      onRowsRemoved: (job, rows) => removed.set(job, (removed.get(job) ?? 0) + rows),
    });
    const purge = PURGES.find((candidate) => candidate.name === name)!;
    await (tasks[retentionTaskName(purge)] as (payload: unknown, helpers: unknown) => Promise<void>)({}, byHand());
  }

  it('should schedule every purge as an hourly cron job', () => {
    expect(retentionCron.map((item) => item.task).sort()).toEqual(PURGES.map(retentionTaskName).sort());
    for (const item of retentionCron) expect(item.match).toMatch(/^\d+ \* \* \* \*$/);
  });

  async function session(createdDaysAgo: number, revokedDaysAgo: number | null, tokens: { expiresDaysAgo: number; usedDaysAgo: number | null }[]) {
    const id = newId();
    await sql('insert into auth_session (id, user_id, created_at, revoked_at, revoked_reason) values (?, ?, ?, ?, ?)', [
      id, user.id, daysAgo(createdDaysAgo), revokedDaysAgo === null ? null : daysAgo(revokedDaysAgo), revokedDaysAgo === null ? null : 'LOGOUT',
    ]);
    const tokenIds: string[] = [];
    for (const token of tokens) {
      const tokenId = newId();
      tokenIds.push(tokenId);
      await sql('insert into refresh_token (id, session_id, token_hash, created_at, expires_at, used_at) values (?, ?, ?, ?, ?, ?)', [
        tokenId, id, randomUUID(), daysAgo(createdDaysAgo), daysAgo(token.expiresDaysAgo), token.usedDaysAgo === null ? null : daysAgo(token.usedDaysAgo),
      ]);
    }
    return { id, tokenIds };
  }

  it('should remove ended and expired sessions and spent tokens after the grace, and nothing else', async () => {
    const before = await ids('auth_session');
    const revokedLongAgo = await session(40, 10, [{ expiresDaysAgo: -20, usedDaysAgo: null }]);
    const revokedRecently = await session(40, 1, [{ expiresDaysAgo: -20, usedDaysAgo: null }]);
    const expiredLongAgo = await session(60, null, [{ expiresDaysAgo: 30, usedDaysAgo: 31 }, { expiresDaysAgo: 10, usedDaysAgo: null }]);
    const live = await session(60, null, [{ expiresDaysAgo: 30, usedDaysAgo: 20 }, { expiresDaysAgo: -25, usedDaysAgo: null }]);
    const liveSpentRecently = await session(3, null, [{ expiresDaysAgo: -27, usedDaysAgo: 1 }, { expiresDaysAgo: -29, usedDaysAgo: null }]);

    await run('ended_sessions');
    const kept = await ids('auth_session');
    expect(kept).toEqual([...before, revokedRecently.id, live.id, liveSpentRecently.id].sort());
    expect(kept).not.toContain(revokedLongAgo.id);
    expect(kept).not.toContain(expiredLongAgo.id);
    await run('spent_refresh_tokens');
    expect(await ids('refresh_token')).toEqual([...revokedRecently.tokenIds, live.tokenIds[1]!, ...liveSpentRecently.tokenIds].sort());
    expect(removed.get('ended_sessions')).toBe(2);
    expect(removed.get('spent_refresh_tokens')).toBe(1);
  });

  it('should remove spent and expired password-reset tokens after the grace, and keep the usable and the recent', async () => {
    const token = async (expiresDaysAgo: number, usedDaysAgo: number | null) => {
      const id = newId();
      await sql('insert into password_reset_token (id, user_id, token_hash, created_at, expires_at, used_at) values (?, ?, ?, ?, ?, ?)', [
        id, user.id, randomUUID(), daysAgo(expiresDaysAgo + 1), daysAgo(expiresDaysAgo), usedDaysAgo === null ? null : daysAgo(usedDaysAgo),
      ]);
      return id;
    };
    await token(10, null);
    await token(9, 9.9);
    const usable = await token(-0.01, null);
    const usedRecently = await token(-0.01, 0.001);
    const expiredRecently = await token(1, null);
    await run('password_reset_tokens');
    expect(await ids('password_reset_token')).toEqual([usable, usedRecently, expiredRecently].sort());
    expect(removed.get('password_reset_tokens')).toBe(2);
  });

  it('should empty the payloads of processed payment events after 90 days and keep id, type and outcome', async () => {
    const event = async (receivedDaysAgo: number, processed: boolean) => {
      const id = `evt_${randomUUID()}`;
      await sql('insert into payment_event (id, provider, type, payload, received_at, processed_at, outcome) values (?, ?, ?, ?, ?, ?, ?)', [
        id, 'DEVELOPMENT', 'payment_intent.succeeded', JSON.stringify({ id, data: { object: { receipt_email: 'someone@example.test' } } }),
        daysAgo(receivedDaysAgo), processed ? daysAgo(receivedDaysAgo) : null, processed ? 'applied: order PAID' : null,
      ]);
      return id;
    };
    const old = await event(91, true);
    const recent = await event(89, true);
    const oldUnprocessed = await event(91, false);
    await run('payment_event_payloads');
    const rows = await sql<{ id: string; type: string; outcome: string | null; emptied: boolean }>(
      "select id, type, outcome, payload = '{}'::jsonb as emptied from payment_event order by id",
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { id: old, type: 'payment_intent.succeeded', outcome: 'applied: order PAID', emptied: true },
        { id: recent, type: 'payment_intent.succeeded', outcome: 'applied: order PAID', emptied: false },
        { id: oldUnprocessed, type: 'payment_intent.succeeded', outcome: null, emptied: false },
      ]),
    );
    expect(removed.get('payment_event_payloads')).toBe(1);
  });

  it('should empty the bodies of delivered emails after 90 days and keep their rows', async () => {
    const email = async (createdDaysAgo: number, sent: boolean) => {
      const id = newId();
      await sql(
        `insert into email_message (id, order_id, kind, recipient_id, to_address, subject, body, transport, message_id, created_at, sent_at)
         values (?, null, 'PASSWORD_RESET', ?, ?, 'subject', 'a body', 'OUTBOX', ?, ?, ?)`,
        [id, user.id, user.email, `<${id}@test>`, daysAgo(createdDaysAgo), sent ? daysAgo(createdDaysAgo) : null],
      );
      return id;
    };
    const old = await email(91, true);
    const recent = await email(80, true);
    const oldUnsent = await email(91, false);
    await run('email_bodies');
    const rows = await sql<{ id: string; body: string }>('select id, body from email_message where id = any(?::uuid[]) order by id', [[old, recent, oldUnsent]]);
    expect(Object.fromEntries(rows.map((row) => [row.id, row.body]))).toEqual({ [old]: '', [recent]: 'a body', [oldUnsent]: 'a body' });
    expect(removed.get('email_bodies')).toBe(1);
  });

  it('should remove the heartbeats of workers dead for a day, and keep the living', async () => {
    const beat = async (seenDaysAgo: number) => {
      const id = `worker-${randomUUID()}`;
      await sql('insert into job_worker_heartbeat (worker_id, heartbeat_ms, seen_at, pid, host) values (?, 5000, ?, 1, ?)', [id, daysAgo(seenDaysAgo), 'host']);
      return id;
    };
    const before = await ids('job_worker_heartbeat', 'worker_id');
    await beat(2);
    const alive = await beat(0);
    await run('dead_worker_heartbeats');
    expect(await ids('job_worker_heartbeat', 'worker_id')).toEqual([...before, alive].sort());
  });

  it('should remove audit events after a year', async () => {
    const audit = async (createdDaysAgo: number) => {
      const id = newId();
      await sql("insert into audit_event (id, type, user_id, details, created_at) values (?, 'SIGN_UP', ?, '{}', ?)", [id, user.id, daysAgo(createdDaysAgo)]);
      return id;
    };
    const before = await ids('audit_event');
    await audit(366);
    const kept = await audit(364);
    await run('audit_events');
    expect(await ids('audit_event')).toEqual([...before, kept].sort());
    expect(removed.get('audit_events')).toBe(1);
  });

  it("should destroy the sealed address of a deleted buyer's orders after the legal period, and only theirs", async () => {
    const shop = await createShop(server);
    const order = async () => {
      const buyer = await createUser(server);
      const [productId] = await createProducts(server, shop, [{ stock: 3, priceAmount: 100 }]);
      dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId: productId!, quantity: 1 }));
      const { checkout } = dataOf(await sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: 'k', shippingAddress: ADDRESS } }));
      return { buyer, orderId: checkout.id };
    };
    const longGone = await order();
    const recentlyGone = await order();
    const active = await order();
    await sql('update app_user set deleted_at = ? where id = ?', [daysAgo(3_651), longGone.buyer.id]);
    await sql('update app_user set deleted_at = ? where id = ?', [daysAgo(10), recentlyGone.buyer.id]);
    await run('deleted_buyer_addresses');
    const rows = await sql<{ id: string; erased: boolean }>('select id, shipping_address is null as erased from customer_order where id = any(?::uuid[])', [
      [longGone.orderId, recentlyGone.orderId, active.orderId],
    ]);
    expect(Object.fromEntries(rows.map((row) => [row.id, row.erased]))).toEqual({ [longGone.orderId]: true, [recentlyGone.orderId]: false, [active.orderId]: false });
  });
});
