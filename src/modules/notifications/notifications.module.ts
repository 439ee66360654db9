import { EmailMessageFieldsResolver } from './email-message-fields.resolver';
import { EmailResolver } from './email.resolver';
import { createEmailDeliveryService, type EmailDeliveryServiceDeps } from './email-delivery';
import { EmailMessage } from './email-message.entity';
import { emailService } from './email.service';
import { notificationTasks } from './notification.jobs';
import { notificationRules } from './notifications.rules';
import { defineModule } from '../../shared/module-manifest';

/** The emails: the outbox, and their delivery by the worker. */
export const notificationsModule = defineModule({
  name: 'notifications',
  entities: [EmailMessage],
  resolvers: [EmailMessageFieldsResolver, EmailResolver],
  rules: notificationRules,
  services: (deps: EmailDeliveryServiceDeps) => ({ emailService, emailDeliveryService: createEmailDeliveryService(deps) }),
  jobs: { tasks: notificationTasks },
});
