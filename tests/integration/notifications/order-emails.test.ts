import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../../src/modules/accounts/user.entity';
import { createEmailDeliveryService } from '../../../src/modules/notifications/email-delivery';
import { EmailKind } from '../../../src/modules/notifications/email-message.entity';
import { queueOrderPaidEmails, sendOrderEmailJob } from '../../../src/modules/notifications/order-emails';
import { systemScope } from '../../../src/modules/service-scope';
import { systemClock } from '../../../src/shared/clock';
import { newId } from '../../../src/shared/ids';
import { runSql } from '../../../src/shared/sql';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { createUser, type TestUser } from '../../utils/buyers';
import { EmailsDocument } from '../../utils/documents';
import { recordingLogger } from '../../utils/logs';
import { codesOf, send } from '../../utils/operations';
import { checkOut, emailJobsOf, emailRowsOf, markPaid, notificationTasksOf, titlesOf, type CheckedOutOrder } from '../../utils/order-emails';
import { byHand } from '../../utils/jobs';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

describe('the emails of a paid order, without SMTP: the outbox', () => {
  let server: TestServer;
  let potter: TestShop;
  let weaver: TestShop;
  let buyer: TestUser;
  let order: CheckedOutOrder;
  let titles: Map<string, string>;
  let mug: string, bowl: string, scarf: string;

  beforeAll(async () => {
    // RUN_WORKER is on by default: the server's own workers run the jobs.
    server = await startTestServer();
    [potter, weaver] = [await createShop(server), await createShop(server)];
    [mug, bowl] = (await createProducts(server, potter!, [{ priceAmount: 1_250 }, { priceAmount: 3_000 }])) as [string, string];
    [scarf] = (await createProducts(server, weaver!, [{ priceAmount: 4_000 }])) as [string];
    titles = await titlesOf(server, [mug, bowl, scarf]);
    buyer = await createUser(server);
  });
  afterAll(() => server?.close());

  const em = () => server.database.orm.em.fork();
  const tasks = () => notificationTasksOf(server);

  it('should queue one confirmation and one notice per artisan, however often it is called, and deliver each once to the outbox', async () => {
    order = await checkOut(server, buyer, [
      { productId: mug, quantity: 2 },
      { productId: bowl, quantity: 1 },
      { productId: scarf, quantity: 1 },
    ]);
    let queuedKeys: string[] = [];
    await markPaid(server, order.id, async (tx) => {
      await queueOrderPaidEmails(tx, order.id);
      queuedKeys = (await emailJobsOf(tx, order.id)).map((job) => job.key);
    });
    expect(queuedKeys.sort()).toEqual(
      [
        `send_order_email:${order.id}:ORDER_CONFIRMATION:${buyer.id}`,
        `send_order_email:${order.id}:NEW_ORDER:${potter.owner.id}`,
        `send_order_email:${order.id}:NEW_ORDER:${weaver.owner.id}`,
      ].sort(),
    );

    await waitFor(async () => (await emailJobsOf(em(), order.id)).length === 0, 10_000, 'the email jobs to finish');
    const rows = await emailRowsOf(server, order.id);
    expect(rows.map((row) => [row.kind, row.recipient_id, row.to_address, row.transport]).sort()).toEqual(
      [
        ['ORDER_CONFIRMATION', buyer.id, buyer.email, 'OUTBOX'],
        ['NEW_ORDER', potter.owner.id, potter.owner.email, 'OUTBOX'],
        ['NEW_ORDER', weaver.owner.id, weaver.owner.email, 'OUTBOX'],
      ].sort(),
    );
    for (const row of rows) {
      expect(row.sent_at).not.toBeNull();
      expect(row.subject).toContain(order.number);
      expect(row.message_id).toBe(`<${row.kind.toLowerCase().replace('_', '-')}.${order.id}.${row.recipient_id}@atelier.local>`);
    }

    const bodyTo = (recipientId: string) => rows.find((row) => row.recipient_id === recipientId)!.body;
    expect(bodyTo(buyer.id)).toContain(`${titles.get(mug)} × 2 at €12.50 = €25.00`);
    expect(bodyTo(buyer.id)).toContain(`${titles.get(bowl)} × 1 at €30.00 = €30.00`);
    expect(bodyTo(buyer.id)).toContain(`${titles.get(scarf)} × 1 at €40.00 = €40.00`);
    expect(bodyTo(buyer.id)).toContain('Total: €95.00');
    expect(bodyTo(buyer.id)).toContain('12 rue des Potiers');
    expect(bodyTo(potter.owner.id)).toContain(`${titles.get(mug)} × 2 at €12.50`);
    expect(bodyTo(potter.owner.id)).toContain(`${titles.get(bowl)} × 1 at €30.00`);
    expect(bodyTo(potter.owner.id)).toContain('Your items: €55.00');
    expect(bodyTo(potter.owner.id)).not.toContain(titles.get(scarf));
    expect(bodyTo(weaver.owner.id)).toContain(`${titles.get(scarf)} × 1 at €40.00`);
    expect(bodyTo(weaver.owner.id)).not.toContain(titles.get(mug));

    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toContain('atelier_emails_sent_total{kind="ORDER_CONFIRMATION",transport="OUTBOX"} 1');
    expect(metrics).toContain('atelier_emails_sent_total{kind="NEW_ORDER",transport="OUTBOX"} 2');
  });

  it('should deliver nothing more when the task runs again with the same payload', async () => {
    const before = await emailRowsOf(server, order.id);
    const task = tasks()[sendOrderEmailJob.name]!;
    for (const row of before) await task({ orderId: order.id, kind: row.kind, recipientId: row.recipient_id }, byHand());
    expect(await emailRowsOf(server, order.id)).toEqual(before);
  });

  it('should write nothing for a recipient with no part in the order, and refuse to queue the emails of no order', async () => {
    const stranger = await createUser(server);
    await tasks()[sendOrderEmailJob.name]!({ orderId: order.id, kind: 'NEW_ORDER', recipientId: stranger.id }, byHand());
    expect(await emailRowsOf(server, order.id)).toHaveLength(3);
    await expect(em().transactional((tx) => queueOrderPaidEmails(tx, newId()))).rejects.toThrow(/no order/);
  });

  it('should deliver as the system, through the service method any caller uses: its log line names the actor and the job', async () => {
    const { logger, lines } = recordingLogger();
    const confirmation = { orderId: order.id, kind: EmailKind.ORDER_CONFIRMATION, recipientId: buyer.id };
    // Gone from the outbox, as if never delivered: the task delivers it again.
    await runSql(em(), 'delete from email_message where order_id = ? and kind = ?', [order.id, EmailKind.ORDER_CONFIRMATION]);
    await notificationTasksOf(server, logger)[sendOrderEmailJob.name]!(confirmation, byHand('job-4242'));
    expect(lines).toContainEqual(expect.objectContaining({ actor: 'notification-jobs', requestId: 'job-4242', transport: 'OUTBOX', msg: 'email delivered' }));
    expect(await emailRowsOf(server, order.id)).toHaveLength(3);
    // The same method, called as another system actor (a script), finds it delivered.
    const script = systemScope({ orm: server.database.orm, clock: systemClock, logger }, 'a-script');
    await expect(createEmailDeliveryService({ config: server.config }).deliverOrderEmail(script, confirmation)).resolves.toEqual({ outcome: 'ALREADY_SENT' });
  });

  describe('the emails query', () => {
    let admin: TestUser;
    let support: TestUser;

    beforeAll(async () => {
      admin = await createUser(server, Role.ADMIN);
      support = await createUser(server, Role.SUPPORT);
    });

    it("should let ADMIN and SUPPORT read the outbox, newest first, an order's alone, page by page", async () => {
      for (const staff of [admin, support]) {
        const response = await send(server, EmailsDocument, { first: 10, orderId: order.id }, { token: staff.token });
        expect(response.errors).toBeUndefined();
        const { emails } = response.data!;
        expect(emails.totalCount).toBe(3);
        const nodes = emails.edges.map((edge) => edge.node);
        expect(nodes.map((node) => node.id)).toEqual(nodes.map((node) => node.id).sort().reverse());
        const confirmation = nodes.find((node) => node.kind === 'ORDER_CONFIRMATION')!;
        expect(confirmation).toMatchObject({
          to: buyer.email,
          transport: 'OUTBOX',
          subject: `Your order ${order.number} is confirmed`,
          order: { id: order.id, number: order.number, status: 'PAID' },
          recipient: { id: buyer.id, email: buyer.email },
        });
        expect(confirmation.body).toContain('Total: €95.00');
        expect(confirmation.sentAt).not.toBeNull();
      }

      const first = await send(server, EmailsDocument, { first: 2, orderId: order.id }, { token: admin.token });
      expect(first.data!.emails.pageInfo.hasNextPage).toBe(true);
      const rest = await send(server, EmailsDocument, { first: 2, orderId: order.id, after: first.data!.emails.pageInfo.endCursor }, { token: admin.token });
      expect(rest.data!.emails.edges).toHaveLength(1);
      expect(rest.data!.emails.pageInfo.hasNextPage).toBe(false);
      const all = await send(server, EmailsDocument, { first: 100 }, { token: admin.token });
      expect(all.data!.emails.totalCount).toBeGreaterThanOrEqual(3);
    });

    it('should refuse the outbox to a buyer and an artisan with FORBIDDEN, and to an anonymous caller with UNAUTHENTICATED', async () => {
      expect(codesOf(await send(server, EmailsDocument, { first: 10 }, { token: buyer.token }))).toEqual(['FORBIDDEN']);
      expect(codesOf(await send(server, EmailsDocument, { first: 10 }, { token: potter.owner.token }))).toEqual(['FORBIDDEN']);
      expect(codesOf(await send(server, EmailsDocument, { first: 10 }))).toEqual(['UNAUTHENTICATED']);
    });

    it('should refuse more than 100 at once, and an orderId that is no id, with BAD_USER_INPUT naming the argument', async () => {
      const tooMany = await send(server, EmailsDocument, { first: 101 }, { token: admin.token });
      expect(codesOf(tooMany)).toEqual(['BAD_USER_INPUT']);
      expect(tooMany.errors![0]!.extensions?.field).toBe('first');
      const badId = await send(server, EmailsDocument, { first: 10, orderId: 'AT-001001' }, { token: admin.token });
      expect(codesOf(badId)).toEqual(['BAD_USER_INPUT']);
      expect(badId.errors![0]!.extensions?.field).toBe('orderId');
    });
  });
});
