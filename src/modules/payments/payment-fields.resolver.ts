import { FieldResolver, Resolver, Root } from 'type-graphql';
import { Money } from '../../shared/money';
import { Payment } from './payment.entity';

@Resolver(() => Payment)
export class PaymentFieldsResolver {
  @FieldResolver(() => Money, { description: "What is to be paid: the order's total." })
  amount(@Root() payment: Payment): Money {
    return Money.of(payment.amount, payment.currency);
  }
}
