import type { MikroORM } from '@mikro-orm/postgresql';
import type { TaskList } from 'graphile-worker';
import type { Logger } from '../../infra/logger';
import type { Clock } from '../../shared/clock';
import { systemScope } from '../service-scope';
import { sendAccountEmailJob } from './account-emails';
import type { EmailDeliveryService } from './email-delivery';
import { EmailKind, type EmailTransport } from './email-message.entity';
import { sendOrderEmailJob } from './order-emails';

export interface NotificationJobDeps {
  /** The services the tasks call, as the system (`notification-jobs`). */
  services: { emailDeliveryService: EmailDeliveryService };
  orm: MikroORM;
  clock: Clock;
  logger: Logger;
  /** Called once per email delivered (the API counts them in its metrics). Default: nothing. */
  onEmailSent?: (kind: EmailKind, transport: EmailTransport) => void;
}

/** What acts when the notification jobs call a service: logged with what it does. */
const ACTOR = 'notification-jobs';

/** The notifications module's tasks for graphile-worker: each delivers through the email delivery service, as the system. */
export function notificationTasks(deps: NotificationJobDeps): TaskList {
  const log = deps.logger.child({ component: 'notification-jobs' });
  const { emailDeliveryService } = deps.services;
  return {
    ...sendOrderEmailJob.task(async (job, helpers) => {
      const result = await emailDeliveryService.deliverOrderEmail(systemScope(deps, ACTOR, helpers.job.id), job);
      if (result.outcome === 'SENT') {
        log.info({ ...job, transport: result.transport }, 'email delivered');
        deps.onEmailSent?.(job.kind, result.transport);
      } else if (result.outcome === 'NOT_CONCERNED') {
        log.warn(job, 'email not sent: no such order, or the recipient has no part in it');
      }
    }),
    // Only queued with SMTP: without it, the account email's row is its delivery already.
    ...sendAccountEmailJob.task(async ({ emailId }, helpers) => {
      const result = await emailDeliveryService.sendAccountEmail(systemScope(deps, ACTOR, helpers.job.id), emailId);
      if (result.outcome === 'NO_SMTP') {
        log.warn({ emailId }, 'account email not sent: no SMTP_URL any more; it stays in the outbox unsent');
      } else if (result.outcome === 'SENT') {
        log.info({ emailId, kind: EmailKind.PASSWORD_RESET, transport: result.transport }, 'email delivered');
        deps.onEmailSent?.(EmailKind.PASSWORD_RESET, result.transport);
      }
    }),
  };
}
