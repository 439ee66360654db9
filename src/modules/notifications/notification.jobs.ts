import type { MikroORM } from '@mikro-orm/postgresql';
import type { TaskList } from 'graphile-worker';
import type { MailConfig } from '../../config/config';
import type { Logger } from '../../infra/logger';
import type { Clock } from '../../shared/clock';
import { deliverOrderEmail } from './email-delivery';
import type { EmailKind, EmailTransport } from './email-message.entity';
import { parseOrderEmailJob, SEND_ORDER_EMAIL_TASK } from './order-emails';
import { createSmtpSender } from './smtp-sender';

export { SEND_ORDER_EMAIL_TASK };

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
    [SEND_ORDER_EMAIL_TASK]: async (payload) => {
      const job = parseOrderEmailJob(payload);
      const result = await deliverOrderEmail(delivery, job);
      if (result.outcome === 'SENT') {
        log.info({ ...job, transport: result.transport }, 'email delivered');
        deps.onEmailSent?.(job.kind, result.transport);
      } else if (result.outcome === 'NOT_CONCERNED') {
        log.warn(job, 'email not sent: no such order, or the recipient has no part in it');
      }
    },
  };
}
