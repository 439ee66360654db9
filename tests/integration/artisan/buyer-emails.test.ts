import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sendOrderEmailJob } from '../../../src/modules/notifications/order-emails';
import { runSql } from '../../../src/shared/sql';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { CancelOrderDocument, FulfilOrderDocument } from '../../generated/graphql';
import { payOrder } from '../../utils/artisan';
import { createUser, type TestUser } from '../../utils/buyers';
import { dataOf, sendAs } from '../../utils/operations';
import { checkOut, emailJobsOf, notificationTasksOf, type CheckedOutOrder, type EmailRow } from '../../utils/order-emails';
import { byHand } from '../../utils/jobs';
import { startSmtpServer, type ReceivedMessage, type TestSmtpServer } from '../../utils/smtp-server';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

/** The buyer's emails of what happens after payment: ORDER_SHIPPED (one per shipment), ORDER_CANCELLED, REFUND_ISSUED. */
const AFTER_PAYMENT_KINDS = ['ORDER_SHIPPED', 'ORDER_CANCELLED', 'REFUND_ISSUED'];

/** A row of the outbox, with the part (shipment) it is about. */
type BuyerEmailRow = EmailRow & { part_key: string };

/** A shop's two products, a two-shop order of a new buyer, paid: what every test here starts from. */
interface Fixture {
  server: TestServer;
  potter: TestShop;
  weaver: TestShop;
  mug: string;
  scarf: string;
}

async function createFixture(server: TestServer): Promise<Fixture> {
  const [potter, weaver] = [await createShop(server), await createShop(server)];
  const [mug] = (await createProducts(server, potter, [{ priceAmount: 1_250, stock: 100 }])) as [string];
  const [scarf] = (await createProducts(server, weaver, [{ priceAmount: 4_000, stock: 100 }])) as [string];
  return { server, potter, weaver, mug, scarf };
}

async function twoShopOrder(fixture: Fixture): Promise<{ buyer: TestUser; order: CheckedOutOrder }> {
  const buyer = await createUser(fixture.server);
  const order = await checkOut(fixture.server, buyer, [
    { productId: fixture.mug, quantity: 2 },
    { productId: fixture.scarf, quantity: 1 },
  ]);
  return { buyer, order };
}

function ship(fixture: Fixture, shop: TestShop, orderId: string, carrier: string, trackingNumber: string) {
  return sendAs(fixture.server.graphqlUrl, shop.owner.token, FulfilOrderDocument, { orderId, input: { carrier, trackingNumber } });
}

/** Waits until every email job of the order has run (each is queued in the transaction of its change). */
async function emailsDelivered(server: TestServer, orderId: string): Promise<void> {
  await waitFor(async () => (await emailJobsOf(server.database.orm.em.fork(), orderId)).length === 0, 15_000, 'the email jobs to finish');
}

/** The outbox's rows of the buyer's after-payment emails of an order, by kind then part. */
function buyerEmailsOf(server: TestServer, orderId: string): Promise<BuyerEmailRow[]> {
  return runSql<BuyerEmailRow>(
    server.database.orm.em.fork(),
    `select id, kind, recipient_id, part_key, to_address, subject, body, transport, message_id, sent_at from email_message
      where order_id = ? and kind = any(?::text[]) order by kind, part_key collate "C"`,
    [orderId, AFTER_PAYMENT_KINDS],
  );
}

/** The shipments of an order as stored, by shop: the part each ORDER_SHIPPED email is about. */
async function shipmentIdsOf(server: TestServer, orderId: string): Promise<Map<string, string>> {
  const rows = await runSql<{ id: string; shop_id: string }>(server.database.orm.em.fork(), 'select id, shop_id from shipment where order_id = ?', [orderId]);
  return new Map(rows.map((row) => [row.shop_id, row.id]));
}

/** Runs the email task again, as a duplicated job would, for every email of the order. */
async function runEmailTasksAgain(server: TestServer, orderId: string, rows: BuyerEmailRow[]): Promise<void> {
  const task = notificationTasksOf(server)[sendOrderEmailJob.name]!;
  for (const row of rows) {
    await task({ orderId, kind: row.kind, recipientId: row.recipient_id, ...(row.part_key ? { partKey: row.part_key } : {}) }, byHand());
  }
}

describe("the buyer's emails of shipments, cancellations and refunds, through the outbox", () => {
  let fixture: Fixture;

  beforeAll(async () => {
    // RUN_WORKER is on by default: the server's own workers deliver the emails; no SMTP_URL: to the outbox.
    fixture = await createFixture(await startTestServer());
  });
  afterAll(() => fixture?.server.close());

  it('should send one ORDER_SHIPPED per shipment with its carrier and tracking number, and nothing more for the same shipment again', async () => {
    const { server, potter, weaver } = fixture;
    const { buyer, order } = await twoShopOrder(fixture);
    await payOrder(server, order.id);

    dataOf(await ship(fixture, potter, order.id, 'La Poste', '6A0001'));
    await emailsDelivered(server, order.id);
    dataOf(await ship(fixture, weaver, order.id, 'DHL', 'JD0146'));
    // The same shipment again answers the same shipment and writes no second email.
    dataOf(await ship(fixture, potter, order.id, 'La Poste', '6A0001'));
    await emailsDelivered(server, order.id);

    const shipments = await shipmentIdsOf(server, order.id);
    const rows = await buyerEmailsOf(server, order.id);
    expect(rows.map((row) => [row.kind, row.part_key, row.recipient_id, row.to_address, row.transport])).toEqual(
      [
        ['ORDER_SHIPPED', shipments.get(potter.id), buyer.id, buyer.email, 'OUTBOX'],
        ['ORDER_SHIPPED', shipments.get(weaver.id), buyer.id, buyer.email, 'OUTBOX'],
      ].sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : 1)),
    );
    const about = (shopId: string) => rows.find((row) => row.part_key === shipments.get(shopId))!;
    expect(about(potter.id).body).toContain('Carrier: La Poste');
    expect(about(potter.id).body).toContain('Tracking number: 6A0001');
    expect(about(potter.id).body).toContain('The rest of your order will follow');
    expect(about(potter.id).body).not.toContain('JD0146');
    expect(about(weaver.id).body).toContain('Carrier: DHL');
    expect(about(weaver.id).body).toContain('Tracking number: JD0146');
    expect(about(weaver.id).body).toContain('everything is on its way');
    for (const row of rows) {
      expect(row.subject).toContain(order.number);
      expect(row.sent_at).not.toBeNull();
      expect(row.message_id).toBe(`<order-shipped.${order.id}.${buyer.id}.${row.part_key}@atelier.local>`);
    }

    await runEmailTasksAgain(server, order.id, rows);
    expect(await buyerEmailsOf(server, order.id)).toEqual(rows);
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toContain('atelier_emails_sent_total{kind="ORDER_SHIPPED",transport="OUTBOX"} 2');
  });

  it('should send ORDER_CANCELLED, and no refund, when an unpaid order is cancelled', async () => {
    const { server } = fixture;
    const { buyer, order } = await twoShopOrder(fixture);
    dataOf(await sendAs(server.graphqlUrl, buyer.token, CancelOrderDocument, { id: order.id }));
    await emailsDelivered(server, order.id);

    const rows = await buyerEmailsOf(server, order.id);
    expect(rows.map((row) => [row.kind, row.part_key, row.to_address, row.transport])).toEqual([['ORDER_CANCELLED', '', buyer.email, 'OUTBOX']]);
    expect(rows[0]!.subject).toBe(`Your order ${order.number} was cancelled`);
    expect(rows[0]!.body).toContain('No payment was taken.');
    expect(rows[0]!.sent_at).not.toBeNull();
  });

  it('should send ORDER_CANCELLED and then REFUND_ISSUED, each once, when a paid order is cancelled, however often it is cancelled', async () => {
    const { server } = fixture;
    const { buyer, order } = await twoShopOrder(fixture);
    await payOrder(server, order.id);
    dataOf(await sendAs(server.graphqlUrl, buyer.token, CancelOrderDocument, { id: order.id }));
    dataOf(await sendAs(server.graphqlUrl, buyer.token, CancelOrderDocument, { id: order.id }));
    await waitFor(async () => (await buyerEmailsOf(server, order.id)).length === 2, 15_000, 'two buyer emails');
    await emailsDelivered(server, order.id);

    const rows = await buyerEmailsOf(server, order.id);
    expect(rows.map((row) => [row.kind, row.to_address, row.transport])).toEqual([
      ['ORDER_CANCELLED', buyer.email, 'OUTBOX'],
      ['REFUND_ISSUED', buyer.email, 'OUTBOX'],
    ]);
    const [cancelled, refunded] = rows as [BuyerEmailRow, BuyerEmailRow];
    expect(cancelled.body).toContain('Your payment of €65.00 is being refunded');
    expect(refunded.subject).toContain(order.number);
    expect(refunded.body).toContain(`We refunded €65.00 for your order ${order.number}, because the order was cancelled.`);

    await runEmailTasksAgain(server, order.id, rows);
    expect(await buyerEmailsOf(server, order.id)).toEqual(rows);
  });
});

describe("the buyer's emails of shipments, cancellations and refunds, through SMTP", () => {
  let smtp: TestSmtpServer;
  let fixture: Fixture;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    fixture = await createFixture(await startTestServer({ SMTP_URL: smtp.url, MAIL_FROM: 'Atelier <orders@atelier.example>' }));
  });
  afterAll(async () => {
    await fixture?.server.close();
    await smtp?.close();
  });

  /** The messages to the buyer about `order` of the after-payment kinds, by Message-ID. */
  const buyerMessages = (order: CheckedOutOrder, buyer: TestUser): ReceivedMessage[] =>
    smtp.accepted
      .filter((message) => message.messageId.includes(order.id) && message.to.includes(buyer.email))
      .filter((message) => /^<(order-shipped|order-cancelled|refund-issued)\./.test(message.messageId))
      .sort((a, b) => (a.messageId < b.messageId ? -1 : 1));

  it('should send each shipment, cancellation and refund as one message, once, with a Message-ID of its own', async () => {
    const { server, potter, weaver } = fixture;
    const shipped = await twoShopOrder(fixture);
    await payOrder(server, shipped.order.id);
    dataOf(await ship(fixture, potter, shipped.order.id, 'La Poste', '6A0002'));
    dataOf(await ship(fixture, weaver, shipped.order.id, 'DHL', 'JD0147'));
    const cancelled = await twoShopOrder(fixture);
    await payOrder(server, cancelled.order.id);
    dataOf(await sendAs(server.graphqlUrl, cancelled.buyer.token, CancelOrderDocument, { id: cancelled.order.id }));
    await waitFor(async () => (await buyerEmailsOf(server, cancelled.order.id)).length === 2, 15_000, 'two buyer emails');
    await emailsDelivered(server, shipped.order.id);
    await emailsDelivered(server, cancelled.order.id);

    const shipments = await shipmentIdsOf(server, shipped.order.id);
    const shippedMessages = buyerMessages(shipped.order, shipped.buyer);
    expect(shippedMessages.map((message) => message.messageId)).toEqual(
      [potter.id, weaver.id].map((shopId) => `<order-shipped.${shipped.order.id}.${shipped.buyer.id}.${shipments.get(shopId)}@atelier.example>`).sort(),
    );
    const potterMessage = shippedMessages.find((message) => message.messageId.includes(shipments.get(potter.id)!))!;
    expect(potterMessage.raw).toContain('Tracking number: 6A0002');
    const weaverMessage = shippedMessages.find((message) => message.messageId.includes(shipments.get(weaver.id)!))!;
    expect(weaverMessage.raw).toContain('Tracking number: JD0147');
    expect(buyerMessages(cancelled.order, cancelled.buyer).map((message) => message.messageId)).toEqual([
      `<order-cancelled.${cancelled.order.id}.${cancelled.buyer.id}@atelier.example>`,
      `<refund-issued.${cancelled.order.id}.${cancelled.buyer.id}@atelier.example>`,
    ]);
    for (const order of [shipped.order, cancelled.order]) {
      const rows = await buyerEmailsOf(server, order.id);
      expect(rows.every((row) => row.transport === 'SMTP' && row.sent_at !== null)).toBe(true);
      await runEmailTasksAgain(server, order.id, rows);
    }
    // Run again, nothing more is sent.
    expect(buyerMessages(shipped.order, shipped.buyer)).toHaveLength(2);
    expect(buyerMessages(cancelled.order, cancelled.buyer)).toHaveLength(2);
  });
});
