import type { EntityManager } from '@mikro-orm/postgresql';
import type { MailConfig } from '../../config/config';
import type { ServiceScope } from '../service-scope';
import { newId } from '../../shared/ids';
import { runSql } from '../../shared/sql';
import { EmailTransport, type EmailKind } from './email-message.entity';
import { composeOrderEmail, loadOrderFacts, type EmailContent } from './order-email-content';
import type { OrderEmailJob } from './order-emails';
import { createSmtpSender, type SendSmtp } from './smtp-sender';

/** What the email delivery service is made with. */
export interface EmailDeliveryServiceDeps {
  /** `config.mail`: with an SMTP URL emails are sent, without one they go to the outbox. */
  config: { mail: MailConfig };
}

/** Where an email goes: `MAIL_FROM` (its domain also ends every Message-ID), and SMTP, or null for the outbox. */
interface Mailer {
  from: string;
  /** null without `SMTP_URL`: the outbox is the delivery. */
  sendSmtp: SendSmtp | null;
}

/**
 * SENT: delivered by this call (through `transport`). ALREADY_SENT: an earlier run delivered it.
 * NOT_CONCERNED: no such order, or the recipient is not its buyer (confirmation) or one of its artisans (notice).
 * NO_SMTP: an account email found no SMTP server to send it (`SMTP_URL` removed since it was queued).
 */
export type Delivery = { outcome: 'SENT'; transport: EmailTransport } | { outcome: 'ALREADY_SENT' | 'NOT_CONCERNED' | 'NO_SMTP' };

/**
 * The delivery of the emails the outbox holds or the jobs ask for, by the worker's jobs (as the system). The SMTP
 * sender is made once: a connection per message, nothing to close.
 */
export function createEmailDeliveryService(deps: EmailDeliveryServiceDeps) {
  const { from, smtpUrl } = deps.config.mail;
  const mailer: Mailer = { from, sendSmtp: smtpUrl ? createSmtpSender(smtpUrl) : null };
  return {
    /**
     * Delivers one email about an order, at most once in effect, however often the job runs. The row of
     * `email_message`, unique per (order, kind, recipient, part), is the record of it.
     *
     * Without SMTP: writing the row is the delivery. One `insert … on conflict` does it, so a retry or a
     * duplicate job finds the row and does nothing.
     *
     * With SMTP: the row is claimed first (inserted, committed, `sent_at` null), then, in a transaction that holds
     * its lock (`for update nowait`: a concurrent run fails and retries later instead of sending too), the message
     * is handed to the SMTP server and `sent_at` is set. A row with `sent_at` is never sent again. The limit: if
     * the process dies, or the commit fails, after the server's 250 and before `sent_at` is committed, the retry
     * sends the message a second time. SMTP offers no way to ask a server whether it already has a message, so
     * exactly-once is not possible; the resend carries the same Message-ID (and the same content, read back from
     * the row), by which mail stores and clients recognise and fold duplicates. SMTP errors throw: the job is
     * retried with graphile-worker's backoff.
     */
    async deliverOrderEmail(scope: ServiceScope, job: OrderEmailJob): Promise<Delivery> {
      const [existing] = await runSql<{ sent_at: Date | null }>(scope.em, `${SELECT_EMAIL} ${WHERE_KEY}`, keyOf(job));
      if (existing?.sent_at) return { outcome: 'ALREADY_SENT' };
      const order = await loadOrderFacts(scope.em, job.orderId);
      const content = order && composeOrderEmail(order, job.kind, job.recipientId, job.partKey);
      if (!content) return { outcome: 'NOT_CONCERNED' };
      const email = { ...job, ...content, messageId: orderEmailMessageId(job, mailer.from) };
      return mailer.sendSmtp ? sendThroughSmtp(scope, mailer, mailer.sendSmtp, email) : writeToOutbox(scope, email);
    },

    /**
     * Sends an account email (PASSWORD_RESET) that its request wrote and claimed: its content exists only in its
     * row. Without SMTP (`SMTP_URL` removed since) it stays in the outbox unsent: NO_SMTP.
     */
    sendAccountEmail(scope: ServiceScope, emailId: string): Promise<Delivery> {
      if (!mailer.sendSmtp) return Promise.resolve({ outcome: 'NO_SMTP' });
      return sendClaimed(scope, mailer, mailer.sendSmtp, 'id = ?', [emailId], `account email ${emailId}`);
    },
  };
}

export type EmailDeliveryService = ReturnType<typeof createEmailDeliveryService>;

type NewEmail = OrderEmailJob & EmailContent & { messageId: string };

const SELECT_EMAIL = 'select id, to_address, subject, body, message_id, sent_at from email_message';
/** The key of an order email's row: one row per (order, kind, recipient, part). */
const KEY_CONDITION = 'order_id = ? and kind = ? and recipient_id = ? and part_key = ?';
const WHERE_KEY = `where ${KEY_CONDITION}`;

function keyOf(job: OrderEmailJob): [string, EmailKind, string, string] {
  return [job.orderId, job.kind, job.recipientId, job.partKey ?? ''];
}

/**
 * The outbox: the row, written already sent. A row an SMTP attempt claimed but never sent (SMTP_URL since
 * removed) is delivered to the outbox instead; a sent row is left as it is.
 */
async function writeToOutbox(scope: ServiceScope, email: NewEmail): Promise<Delivery> {
  const now = scope.clock.now();
  const written = await runSql(
    scope.em,
    `${INSERT_EMAIL}
     on conflict (order_id, kind, recipient_id, part_key) do update set transport = excluded.transport, sent_at = excluded.sent_at
      where email_message.sent_at is null
     returning id`,
    insertValues(email, EmailTransport.OUTBOX, now, now),
  );
  return written.length ? { outcome: 'SENT', transport: EmailTransport.OUTBOX } : { outcome: 'ALREADY_SENT' };
}

async function sendThroughSmtp(scope: ServiceScope, mailer: Mailer, sendSmtp: SendSmtp, email: NewEmail): Promise<Delivery> {
  // The claim, committed on its own: whatever happens next, the content and Message-ID of every attempt are these.
  await runSql(
    scope.em,
    `${INSERT_EMAIL} on conflict (order_id, kind, recipient_id, part_key) do nothing`,
    insertValues(email, EmailTransport.SMTP, scope.clock.now(), null),
  );
  return sendClaimed(scope, mailer, sendSmtp, KEY_CONDITION, keyOf(email), `email ${email.kind} of order ${email.orderId} to ${email.recipientId}`);
}

/**
 * Sends a claimed row (`sent_at` null) through SMTP and marks it sent, holding its lock (`for update nowait`: a
 * concurrent run fails and retries later instead of sending too). A row already sent is left alone.
 */
function sendClaimed(scope: ServiceScope, mailer: Mailer, sendSmtp: SendSmtp, where: string, params: unknown[], what: string): Promise<Delivery> {
  return scope.em.transactional(async (tx: EntityManager) => {
    const [claimed] = await runSql<ClaimedRow>(tx, `${SELECT_EMAIL} where ${where} for update nowait`, params);
    if (!claimed) throw new Error(`${what} vanished after its claim`);
    if (claimed.sent_at) return { outcome: 'ALREADY_SENT' } as const;
    await sendSmtp({ from: mailer.from, to: claimed.to_address, subject: claimed.subject, text: claimed.body, messageId: claimed.message_id });
    await runSql(tx, 'update email_message set sent_at = ?, transport = ? where id = ?', [scope.clock.now(), EmailTransport.SMTP, claimed.id]);
    return { outcome: 'SENT', transport: EmailTransport.SMTP } as const;
  });
}

interface ClaimedRow {
  id: string;
  to_address: string;
  subject: string;
  body: string;
  message_id: string;
  sent_at: Date | null;
}

const INSERT_EMAIL = `insert into email_message (id, order_id, kind, recipient_id, part_key, to_address, subject, body, transport, message_id, created_at, sent_at)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

function insertValues(email: NewEmail, transport: EmailTransport, createdAt: Date, sentAt: Date | null): unknown[] {
  return [newId(), ...keyOf(email), email.to, email.subject, email.body, transport, email.messageId, createdAt, sentAt];
}

/**
 * `<order-confirmation.<order>.<recipient>@<domain of MAIL_FROM>>` (`.<shipment>` before the `@` for
 * ORDER_SHIPPED): derived from the email's key alone, so that it is the same on every attempt, from any process.
 */
export function orderEmailMessageId(job: OrderEmailJob, from: string): string {
  const domain = /@([^<>@\s]+)>?\s*$/.exec(from)?.[1] ?? 'atelier.local';
  const part = job.partKey ? `.${job.partKey}` : '';
  return `<${job.kind.toLowerCase().replace(/_/g, '-')}.${job.orderId}.${job.recipientId}${part}@${domain}>`;
}
