import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { required } from '../../shared/loaders';
import { User } from '../accounts';
import { Order } from '../orders';
import { EmailMessage } from './email-message.entity';

/** Relations of an email, through per-request loaders: a page of emails loads its orders and users in one statement each. */
@Resolver(() => EmailMessage)
export class EmailMessageFieldsResolver {
  @FieldResolver(() => Order, { nullable: true, description: 'The order the email is about; null for an account email (PASSWORD_RESET).' })
  async order(@Root() email: EmailMessage, @Ctx() ctx: RequestContext): Promise<Order | null> {
    if (!email.order) return null;
    return required(await ctx.loaders.orderById.load(email.order.id), 'order', email.id);
  }

  @FieldResolver(() => User, { description: 'Who it was written to: the buyer, or the artisan of a shop of the order.' })
  async recipient(@Root() email: EmailMessage, @Ctx() ctx: RequestContext): Promise<User> {
    return required(await ctx.loaders.userById.load(email.recipient.id), 'recipient', email.id);
  }
}
