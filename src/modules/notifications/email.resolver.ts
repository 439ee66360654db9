import { Arg, Args, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { ConnectionArgs, pageRequest, type Connection } from '../../shared/pagination';
import type { EmailMessage } from './email-message.entity';
import type { EmailService } from './email.service';
import { EmailMessageConnection } from './notifications.types';

@Resolver()
export class EmailResolver {
  constructor(private readonly services: { emailService: EmailService }) {}

  @Query(() => EmailMessageConnection, {
    description:
      'The emails about orders, newest first: what was sent through SMTP and, when no SMTP server is configured, the outbox. ' +
      'ADMIN and SUPPORT.',
  })
  emails(
    @Args() page: ConnectionArgs,
    @Arg('orderId', () => ID, { nullable: true, description: "Only this order's emails." }) orderId: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<EmailMessage>> {
    return this.services.emailService.list(ctx, pageRequest(page), orderId ?? null);
  }
}
