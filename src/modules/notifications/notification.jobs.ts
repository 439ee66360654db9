import type { MikroORM } from '@mikro-orm/postgresql';
import type { TaskList } from 'graphile-worker';
import type { MailConfig } from '../../config/config';
import type { Logger } from '../../infra/logger';
import type { Clock } from '../../shared/clock';
import { sendAccountEmailJob } from './account-emails';
import { deliverOrderEmail, sendClaimed } from './email-delivery';
import { EmailKind, type EmailTransport } from './email-message.entity';
import { sendOrderEmailJob } from './order-emails';
import { createSmtpSender } from './smtp-sender';

export interface NotificationJobDeps {
  orm: MikroORM;
  clock: Clock;
  logger: Logger;
  /** `config.mail`: with an SMTP URL emails are sent, without one they go to the outbox. */
  mail: MailConfig;
  /** Called once per email delivered (the API counts them in its metrics). Default: nothing. */
  onEmailSent?: (kind: EmailKind, transport: EmailTransport) => void;
}

/** The notifications module's tasks for graphile-worker. */
export function notificationTasks(deps: NotificationJobDeps): TaskList {
  const log = deps.logger.child({ component: 'notification-jobs' });
  const sendSmtp = deps.mail.smtpUrl ? createSmtpSender(deps.mail.smtpUrl) : null;
  const delivery = { orm: deps.orm, clock: deps.clock, from: deps.mail.from, sendSmtp };
  return {
    ...sendOrderEmailJob.task(async (job) => {
      const result = await deliverOrderEmail(delivery, job);
      if (result.outcome === 'SENT') {
        log.info({ ...job, transport: result.transport }, 'email delivered');
        deps.onEmailSent?.(job.kind, result.transport);
      } else if (result.outcome === 'NOT_CONCERNED') {
        log.warn(job, 'email not sent: no such order, or the recipient has no part in it');
      }
    }),
    // Only queued with SMTP: without it, the account email's row is its delivery already.
    ...sendAccountEmailJob.task(async ({ emailId }) => {
      if (!sendSmtp) return log.warn({ emailId }, 'account email not sent: no SMTP_URL any more; it stays in the outbox unsent');
      const result = await sendClaimed(delivery, sendSmtp, 'id = ?', [emailId], `account email ${emailId}`);
      if (result.outcome === 'SENT') {
        log.info({ emailId, kind: EmailKind.PASSWORD_RESET, transport: result.transport }, 'email delivered');
        deps.onEmailSent?.(EmailKind.PASSWORD_RESET, result.transport);
      }
    }),
  };
}
