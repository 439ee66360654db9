import { createLogger } from '../../src/infra/logger';
import { developmentPaymentService } from '../../src/modules/payments/development-payment';
import { systemScope } from '../../src/modules/service-scope';
import { systemClock } from '../../src/shared/clock';
import { runSql } from '../../src/shared/sql';
import type { FixtureTarget } from './buyers';

/**
 * Pays an order of the DEVELOPMENT provider now, as its `confirm_development_payment` job does: a
 * `payment_intent.succeeded` event is recorded, then applied (the order becomes PAID, its emails are queued,
 * OrderUpdates is told). Test servers confirm development payments only an hour after checkout, so orders wait
 * until this is called.
 */
export async function payOrder(server: FixtureTarget, orderId: string): Promise<void> {
  const scope = systemScope({ orm: server.database.orm, clock: systemClock, logger: createLogger('silent') }, 'confirm_development_payment');
  const outcome = await developmentPaymentService.confirm(scope, orderId);
  if (!outcome?.includes('order PAID')) throw new Error(`order ${orderId} not paid: ${outcome ?? 'no open DEVELOPMENT payment'}`);
}

/** The order's status as stored. */
export async function statusOf(server: FixtureTarget, orderId: string): Promise<string> {
  const [row] = await runSql<{ status: string }>(server.database.orm.em.fork(), 'select status from customer_order where id = ?', [orderId]);
  if (!row) throw new Error(`no order ${orderId}`);
  return row.status;
}
