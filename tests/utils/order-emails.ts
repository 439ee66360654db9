import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TaskList } from 'graphile-worker';
import { createLogger, type Logger } from '../../src/infra/logger';
import { createEmailDeliveryService } from '../../src/modules/notifications/email-delivery';
import { notificationTasks } from '../../src/modules/notifications/notification.jobs';
import { queueOrderPaidEmails } from '../../src/modules/notifications/order-emails';
import { systemClock } from '../../src/shared/clock';
import { runSql } from '../../src/shared/sql';
import { ADDRESS } from '../fixtures/addresses';
import { AddToCartDocument, CheckoutDocument } from '../generated/graphql';
import type { FixtureTarget, TestUser } from './buyers';
import { dataOf, sendAs } from './operations';
import type { TestServer } from './test-server';

/** What a test needs of an order that checkout made. */
export interface CheckedOutOrder {
  id: string;
  number: string;
}

/** `buyer` puts `lines` in its cart and checks out through the API, as a storefront does. */
export async function checkOut(
  server: { graphqlUrl: string },
  buyer: TestUser,
  lines: { productId: string; quantity: number }[],
): Promise<CheckedOutOrder> {
  for (const line of lines) dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, line));
  const { checkout } = dataOf(await sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: randomUUID(), shippingAddress: ADDRESS } }));
  return { id: checkout.id, number: checkout.number };
}

/**
 * What the payments' PAID transition does, until payments exist: in one transaction, the order becomes PAID
 * and its emails are queued. `then` runs last in that transaction (to look at the jobs before they commit).
 */
export async function markPaid(server: FixtureTarget, orderId: string, then?: (em: EntityManager) => Promise<void>): Promise<void> {
  await server.database.orm.em.fork().transactional(async (em) => {
    await runSql(em, `update customer_order set status = 'PAID', updated_at = now() where id = ?`, [orderId]);
    await queueOrderPaidEmails(em, orderId);
    await then?.(em);
  });
}

/** The titles of products, by id. */
export async function titlesOf(server: FixtureTarget, productIds: string[]): Promise<Map<string, string>> {
  const rows = await runSql<{ id: string; title: string }>(server.database.orm.em.fork(), 'select id, title from product where id = any(?::uuid[])', [productIds]);
  return new Map(rows.map((row) => [row.id, row.title]));
}

/** A row of `email_message`. */
export interface EmailRow {
  id: string;
  kind: string;
  recipient_id: string;
  to_address: string;
  subject: string;
  body: string;
  transport: string;
  message_id: string;
  sent_at: Date | null;
}

/** The emails of an order, as stored. */
export function emailRowsOf(server: FixtureTarget, orderId: string): Promise<EmailRow[]> {
  return runSql<EmailRow>(
    server.database.orm.em.fork(),
    'select id, kind, recipient_id, to_address, subject, body, transport, message_id, sent_at from email_message where order_id = ? order by id',
    [orderId],
  );
}

/** How many jobs of the order's emails are in the queue (waiting, running or failed). */
export async function emailJobsOf(em: EntityManager, orderId: string): Promise<{ key: string; attempts: number; last_error: string | null }[]> {
  return runSql(em, `select key, attempts, last_error from graphile_worker.jobs where key like ? order by key`, [`send_order_email:${orderId}:%`]);
}

/**
 * The notification tasks as `server`'s worker has them: calling an email delivery service made with its configuration.
 * `logger`: where their lines go; default none.
 */
export function notificationTasksOf(server: TestServer, logger: Logger = createLogger('silent')): TaskList {
  return notificationTasks({
    services: { emailDeliveryService: createEmailDeliveryService({ config: server.config }) },
    orm: server.database.orm,
    clock: systemClock,
    logger,
  });
}
