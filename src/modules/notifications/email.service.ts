import type { FilterQuery } from '@mikro-orm/postgresql';
import type { ServiceScope } from '../service-scope';
import { BadUserInputError } from '../../shared/errors';
import { isId } from '../../shared/ids';
import { keysetPage } from '../../shared/keyset-page';
import type { Connection, PageRequest } from '../../shared/pagination';
import { EmailMessage } from './email-message.entity';

/** Reading the emails about orders (the outbox, and what SMTP sent), newest first. */
export const emailService = {
  list(ctx: ServiceScope, page: PageRequest, orderId: string | null): Promise<Connection<EmailMessage>> {
    if (orderId !== null && !isId(orderId)) throw new BadUserInputError('orderId', 'orderId must be an order id');
    const where: FilterQuery<EmailMessage> = orderId ? { order: orderId } : {};
    return keysetPage(ctx.em, EmailMessage, where, page);
  },
};

export type EmailService = typeof emailService;
