import type { EntityManager } from '@mikro-orm/postgresql';
import type { MailConfig } from '../../config/config';
import { z } from 'zod';
import { defineJob } from '../../infra/jobs';
import { idSchema, newId } from '../../shared/ids';
import { runSql } from '../../shared/sql';
import { EmailKind, EmailTransport } from './email-message.entity';

/** Sends an account email through SMTP; its payload is the email's id, never its content. */
export const sendAccountEmailJob = defineJob({
  name: 'send_account_email',
  payload: z.object({ emailId: idSchema }),
  spec: ({ emailId }) => ({ jobKey: `account-email:${emailId}` }),
});

export interface PasswordResetEmail {
  userId: string;
  to: string;
  /** Null when the stored name cannot be opened (already logged): the email greets without it. */
  displayName: string | null;
  /** The token itself: what the email must say, and the only place it is ever written. */
  token: string;
  ttlMinutes: number;
}

/**
 * In the caller's transaction: the PASSWORD_RESET email of a user. Its content can only be written now (the token
 * is stored nowhere else but hashed), so the row is written here: without SMTP it is the delivery (the outbox);
 * with SMTP it is claimed and a `send_account_email` job, carrying only the row's id, sends it once committed.
 */
export async function queuePasswordResetEmail(em: EntityManager, mail: MailConfig, email: PasswordResetEmail, now: Date): Promise<void> {
  const id = newId();
  const domain = /@([^<>@\s]+)>?\s*$/.exec(mail.from)?.[1] ?? 'atelier.local';
  const body = [
    email.displayName === null ? 'Hello,' : `Hello ${email.displayName},`,
    '',
    'Someone (we hope you) asked to reset the password of your Atelier account.',
    `Your reset code, valid for ${email.ttlMinutes} minutes and usable once: ${email.token}`,
    '',
    'If you did not ask for it, ignore this email: your password stays as it is.',
  ].join('\n');
  const smtp = mail.smtpUrl !== null;
  await runSql(
    em,
    `insert into email_message (id, order_id, kind, recipient_id, to_address, subject, body, transport, message_id, created_at, sent_at)
     values (?, null, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [id, EmailKind.PASSWORD_RESET, email.userId, email.to, 'Reset your Atelier password', body, smtp ? EmailTransport.SMTP : EmailTransport.OUTBOX, `<password-reset.${id}@${domain}>`, now, smtp ? null : now],
  );
  if (smtp) await sendAccountEmailJob.schedule(em, { emailId: id });
}

/** What an erased email's body says instead. */
export const ERASED_EMAIL_BODY = '[erased: the person this email was written to or about deleted the account]';

/**
 * In the caller's transaction, when a user deletes the account: the outbox keeps its rows (they make sending
 * idempotent) but loses what identifies the person: the address and body of the emails written to the user, and the
 * body of the emails about the user's orders (artisans' notices carry the buyer's name and shipping address).
 */
export async function eraseEmailsOfDeletedUser(em: EntityManager, userId: string, erasedAddress: string): Promise<void> {
  await runSql(em, 'update email_message set to_address = ?, body = ? where recipient_id = ?', [erasedAddress, ERASED_EMAIL_BODY, userId]);
  await runSql(em, 'update email_message set body = ? where order_id in (select id from customer_order where buyer_id = ?)', [ERASED_EMAIL_BODY, userId]);
}
