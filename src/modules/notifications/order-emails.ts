import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { defineJob } from '../../infra/jobs';
import { idSchema } from '../../shared/ids';
import { runSql } from '../../shared/sql';
import { EmailKind } from './email-message.entity';

/**
 * Sends one email about an order (see `email-delivery.ts`): which email, to whom. One pending job per
 * (order, kind, recipient, part): `send_order_email:<order>:<kind>:<recipient>`, then `:<part>` for one shipment.
 */
export const sendOrderEmailJob = defineJob({
  name: 'send_order_email',
  payload: z.object({
    orderId: idSchema,
    kind: z.enum(EmailKind),
    recipientId: idSchema,
    /** The shipment an ORDER_SHIPPED email is about; absent (the whole order) for every other kind. */
    partKey: idSchema.optional(),
  }),
  spec: (job) => ({ jobKey: `send_order_email:${job.orderId}:${job.kind}:${job.recipientId}${job.partKey ? `:${job.partKey}` : ''}` }),
});

/** The payload of {@link sendOrderEmailJob}. */
export type OrderEmailJob = z.output<typeof sendOrderEmailJob.payload>;

/**
 * Queues the emails of an order that just became PAID: ORDER_CONFIRMATION to the buyer, and NEW_ORDER to each
 * distinct owner of a shop whose products are in it. Call it inside the transaction of the PAID transition:
 * the jobs exist if and only if that transition commits. One job key per (order, kind, recipient), so that
 * calling it again while the jobs wait adds none; a later call adds jobs that find their emails sent and stop.
 */
export async function queueOrderPaidEmails(em: EntityManager, orderId: string): Promise<void> {
  const recipients = await runSql<{ kind: EmailKind; recipient_id: string }>(
    em,
    `select ?::text as kind, buyer_id as recipient_id from customer_order where id = ?
     union
     select ?::text, s.owner_id from order_line l join product p on p.id = l.product_id join shop s on s.id = p.shop_id where l.order_id = ?`,
    [EmailKind.ORDER_CONFIRMATION, orderId, EmailKind.NEW_ORDER, orderId],
  );
  if (!recipients.some((recipient) => recipient.kind === EmailKind.ORDER_CONFIRMATION)) {
    throw new Error(`queueOrderPaidEmails: no order ${orderId}`);
  }
  for (const { kind, recipient_id: recipientId } of recipients) {
    await sendOrderEmailJob.schedule(em, { orderId, kind, recipientId });
  }
}

/**
 * Queues the buyer's email of `kind` about the order (ORDER_CANCELLED, REFUND_ISSUED; ORDER_SHIPPED with the
 * shipment's id as `partKey`). Call it inside the transaction of the change it tells of: the job exists if and only
 * if the change commits, and its job key (and the outbox's unique row) make it one email however often it is called.
 */
export async function queueBuyerEmail(em: EntityManager, orderId: string, kind: EmailKind, partKey?: string): Promise<void> {
  const [order] = await runSql<{ buyer_id: string }>(em, 'select buyer_id from customer_order where id = ?', [orderId]);
  if (!order) throw new Error(`queueBuyerEmail: no order ${orderId}`);
  await sendOrderEmailJob.schedule(em, { orderId, kind, recipientId: order.buyer_id, ...(partKey ? { partKey } : {}) });
}
