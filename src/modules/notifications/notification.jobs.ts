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

/**
 * The notifications module's tasks for graphile-worker: each delivers through the email delivery service, as the
 * system, in a scope whose log lines name the actor and carry the job's id (`requestId`).
 */
export function notificationTasks(deps: NotificationJobDeps): TaskList {
  const { emailDeliveryService } = deps.services;
  return {
    ...sendOrderEmailJob.task(async (job, helpers) => {
      const scope = systemScope(deps, ACTOR, helpers.job.id);
      const result = await emailDeliveryService.deliverOrderEmail(scope, job);
      if (result.outcome === 'SENT') {
        scope.logger.info({ ...job, transport: result.transport }, 'email delivered');
        deps.onEmailSent?.(job.kind, result.transport);
      } else if (result.outcome === 'NOT_CONCERNED') {
        scope.logger.warn(job, 'email not sent: no such order, or the recipient has no part in it');
      }
    }),
    // Only queued with SMTP: without it, the account email's row is its delivery already.
    ...sendAccountEmailJob.task(async ({ emailId }, helpers) => {
      const scope = systemScope(deps, ACTOR, helpers.job.id);
      const result = await emailDeliveryService.sendAccountEmail(scope, emailId);
      if (result.outcome === 'NO_SMTP') {
        scope.logger.warn({ emailId }, 'account email not sent: no SMTP_URL any more; it stays in the outbox unsent');
      } else if (result.outcome === 'SENT') {
        scope.logger.info({ emailId, kind: EmailKind.PASSWORD_RESET, transport: result.transport }, 'email delivered');
        deps.onEmailSent?.(EmailKind.PASSWORD_RESET, result.transport);
      }
    }),
  };
}
