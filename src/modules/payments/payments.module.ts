import { PaymentFieldsResolver } from './payment-fields.resolver';
import { PaymentEvent } from './payment-event.entity';
import { Payment } from './payment.entity';
import { paymentTasks } from './payment.jobs';
import { defineModule } from '../../shared/module-manifest';

/** Payments of orders (Stripe, or the DEVELOPMENT provider) and the providers' events. Its fields' rules are the orders module's. */
export const paymentsModule = defineModule({
  name: 'payments',
  entities: [Payment, PaymentEvent],
  resolvers: [PaymentFieldsResolver],
  jobs: { tasks: paymentTasks },
});
