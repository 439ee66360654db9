import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sendOrderEmailJob } from '../../../src/modules/notifications/order-emails';
import { runSql } from '../../../src/shared/sql';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { RequestPasswordResetDocument } from '../../generated/graphql';
import { createUser } from '../../utils/buyers';
import { dataOf, sendAs } from '../../utils/operations';
import { checkOut, emailJobsOf, emailRowsOf, markPaid, notificationTasksOf, type CheckedOutOrder } from '../../utils/order-emails';
import { byHand } from '../../utils/jobs';
import { startSmtpServer, type ReceivedMessage, type TestSmtpServer } from '../../utils/smtp-server';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

describe('the emails of a paid order, through SMTP', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let potter: TestShop;
  let weaver: TestShop;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer({ SMTP_URL: smtp.url, MAIL_FROM: 'Atelier <orders@atelier.example>' });
    [potter, weaver] = [await createShop(server), await createShop(server)];
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  const em = () => server.database.orm.em.fork();
  const tasks = () => notificationTasksOf(server);
  /** The messages of `order` among `messages`: their Message-IDs name it. */
  const about = (order: CheckedOutOrder, messages: ReceivedMessage[]) => messages.filter((message) => message.messageId.includes(order.id));

  /** A paid order of a new buyer with a product of each shop; its three emails queued. */
  async function paidOrder() {
    const buyer = await createUser(server);
    const [pot] = await createProducts(server, potter, [{}]);
    const [rug] = await createProducts(server, weaver, [{}]);
    const order = await checkOut(server, buyer, [
      { productId: pot!, quantity: 1 },
      { productId: rug!, quantity: 3 },
    ]);
    await markPaid(server, order.id);
    const messageIds = {
      [buyer.email]: `<order-confirmation.${order.id}.${buyer.id}@atelier.example>`,
      [potter.owner.email]: `<new-order.${order.id}.${potter.owner.id}@atelier.example>`,
      [weaver.owner.email]: `<new-order.${order.id}.${weaver.owner.id}@atelier.example>`,
    };
    return { buyer, order, messageIds };
  }

  /** Recipient → Message-ID of each message; fails on a recipient who got two. */
  function byRecipient(messages: ReceivedMessage[]): Record<string, string> {
    const recipients = messages.flatMap((message) => message.to);
    expect(recipients).toHaveLength(new Set(recipients).size);
    return Object.fromEntries(messages.map((message) => [message.to.join(','), message.messageId]));
  }

  it('should send one message to each recipient, with a Message-ID made of order, kind and recipient, and none when the task runs again', async () => {
    const { buyer, order, messageIds } = await paidOrder();
    await waitFor(async () => (await emailJobsOf(em(), order.id)).length === 0, 10_000, 'the email jobs to finish');

    expect(byRecipient(about(order, smtp.accepted))).toEqual(messageIds);
    const confirmation = about(order, smtp.accepted).find((message) => message.to[0] === buyer.email)!;
    expect(confirmation.raw).toMatch(/^From: Atelier <orders@atelier\.example>\r?$/m);
    expect(confirmation.raw).toMatch(new RegExp(`^Subject: Your order ${order.number} is confirmed\\r?$`, 'm'));
    const rows = await emailRowsOf(server, order.id);
    expect(rows.map((row) => [row.to_address, row.message_id, row.transport])).toEqual(
      expect.arrayContaining(Object.entries(messageIds).map(([to, messageId]) => [to, messageId, 'SMTP'])),
    );
    expect(rows.every((row) => row.sent_at !== null)).toBe(true);

    const task = tasks()[sendOrderEmailJob.name]!;
    for (const row of rows) await task({ orderId: order.id, kind: row.kind, recipientId: row.recipient_id }, byHand());
    expect(about(order, smtp.accepted)).toHaveLength(3);
  });

  it('should retry while the SMTP server refuses, then deliver each email once, with the Message-ID of its first attempt', async () => {
    smtp.failing = true;
    const { order, messageIds } = await paidOrder();
    try {
      // Every job has failed once: each email is claimed, none is sent.
      await waitFor(async () => new Set(about(order, smtp.refused).map((message) => message.messageId)).size === 3, 10_000, 'three refused messages');
      await waitFor(async () => (await emailJobsOf(em(), order.id)).every((job) => job.attempts >= 1 && job.last_error !== null), 5_000, 'every email job to have failed once');
      expect((await emailRowsOf(server, order.id)).map((row) => row.sent_at)).toEqual([null, null, null]);
    } finally {
      smtp.failing = false;
    }

    // graphile-worker retries after about e¹ ≈ 2.7 s.
    await waitFor(async () => (await emailJobsOf(em(), order.id)).length === 0, 20_000, 'the email jobs to finish');
    expect(byRecipient(about(order, smtp.accepted))).toEqual(messageIds);
    expect(new Set(about(order, smtp.refused).map((message) => message.messageId))).toEqual(new Set(Object.values(messageIds)));
    expect((await emailRowsOf(server, order.id)).every((row) => row.sent_at !== null)).toBe(true);
  });

  it('should send again, as the same message, an email whose sending was never recorded (the process died after the 250)', async () => {
    const { buyer, order, messageIds } = await paidOrder();
    await waitFor(async () => (await emailJobsOf(em(), order.id)).length === 0, 10_000, 'the email jobs to finish');
    // What a crash between the SMTP server's 250 and the commit of sent_at leaves behind.
    await runSql(em(), `update email_message set sent_at = null where order_id = ? and kind = 'ORDER_CONFIRMATION'`, [order.id]);

    await tasks()[sendOrderEmailJob.name]!({ orderId: order.id, kind: 'ORDER_CONFIRMATION', recipientId: buyer.id }, byHand());

    const copies = about(order, smtp.accepted).filter((message) => message.to[0] === buyer.email);
    expect(copies.map((message) => message.messageId)).toEqual([messageIds[buyer.email], messageIds[buyer.email]]);
    // Headers aside (Date), the same message.
    const bodyOf = (raw: string) => raw.slice(raw.search(/\r?\n\r?\n/));
    expect(bodyOf(copies[1]!.raw)).toBe(bodyOf(copies[0]!.raw));
  });

  it('should send a password reset through its send_account_email job, and mark its outbox row sent', async () => {
    const user = await createUser(server);
    expect(dataOf(await sendAs(server.graphqlUrl, undefined, RequestPasswordResetDocument, { email: user.email })).requestPasswordReset).toBe(true);
    const toUser = () => smtp.accepted.filter((message) => message.to[0] === user.email);
    await waitFor(() => toUser().length === 1, 10_000, 'the reset email to be delivered');
    expect(toUser()[0]!.messageId).toMatch(/^<password-reset\.[0-9a-f-]{36}@atelier\.example>$/);
    const [row] = await runSql<{ sent_at: string | null }>(em(), `select sent_at from email_message where recipient_id = ? and kind = 'PASSWORD_RESET'`, [user.id]);
    expect(row!.sent_at).not.toBeNull();
  });
});
