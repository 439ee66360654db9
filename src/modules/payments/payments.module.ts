import { PaymentFieldsResolver } from './payment-fields.resolver';
import { developmentPaymentService } from './development-payment';
import { paymentEventService } from './payment-events';
import { PaymentEvent } from './payment-event.entity';
import { Payment } from './payment.entity';
import { paymentTasks, type PaymentJobDeps } from './payment.jobs';
import { createPaymentService, type PaymentServiceDeps } from './payment.service';
import { defineModule } from '../../shared/module-manifest';

/** Payments of orders (Stripe, or the DEVELOPMENT provider) and the providers' events. Its fields' rules are the orders module's. */
export const paymentsModule = defineModule({
  name: 'payments',
  entities: [Payment, PaymentEvent],
  resolvers: [PaymentFieldsResolver],
  services: (deps: PaymentServiceDeps) => ({ paymentService: createPaymentService(deps), paymentEventService, developmentPaymentService }),
  // Reached at call time: payment.jobs.ts makes system scopes, whose module imports the list of modules (this one).
  jobs: { tasks: (deps: PaymentJobDeps) => paymentTasks(deps) },
});
