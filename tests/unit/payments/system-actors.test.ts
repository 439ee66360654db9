import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import Stripe from 'stripe';
import { createLogger } from '../../../src/infra/logger';
import type { DevelopmentPaymentService } from '../../../src/modules/payments/development-payment';
import type { PaymentEventService } from '../../../src/modules/payments/payment-events';
import { cancelPaymentIntentJob, confirmDevelopmentPaymentJob, processPaymentEventJob, refundPaymentJob } from '../../../src/modules/payments/payment-job-names';
import { PaymentProvider } from '../../../src/modules/payments/payment.entity';
import { paymentTasks } from '../../../src/modules/payments/payment.jobs';
import type { PaymentService } from '../../../src/modules/payments/payment.service';
import type { ServiceScope } from '../../../src/modules/service-scope';
import { stripeWebhookRouter } from '../../../src/modules/payments/stripe-webhook';

const ORDER_ID = '0192f0c4-0000-7000-8000-000000000002';
const clock = { now: () => new Date() };
const logger = createLogger('silent');

/** Stand-ins of the payments' services that record which method was called, with which scope. No database is reached. */
function recordingServices() {
  const calls: Array<{ method: string; scope: ServiceScope; args: unknown[] }> = [];
  const record =
    <Result>(method: string, result: Result) =>
    async (scope: ServiceScope, ...args: unknown[]): Promise<Result> => (calls.push({ method, scope, args }), result);
  const paymentService = {
    ensureIntent: record('ensureIntent', { outcome: 'EXISTS', stored: null }),
    prepareQuietly: record('prepareQuietly', { outcome: 'EXISTS', stored: null }),
    refund: record('refund', 'NOTHING_TO_DO'),
    cancelIntent: record('cancelIntent', undefined),
  } as PaymentService;
  const paymentEventService = { record: record('record', true), apply: record('apply', 'ignored: test') } as PaymentEventService;
  const developmentPaymentService = { confirm: record('confirm', null) } as DevelopmentPaymentService;
  return { calls, services: { paymentService, paymentEventService, developmentPaymentService } };
}

describe("the payments' jobs and the Stripe webhook call the services as the system", () => {
  it.each([
    [processPaymentEventJob.name, 'apply', { eventId: 'evt_1' }, ['evt_1']],
    [refundPaymentJob.name, 'refund', { orderId: ORDER_ID }, [ORDER_ID]],
    [cancelPaymentIntentJob.name, 'cancelIntent', { orderId: ORDER_ID }, [ORDER_ID]],
    [confirmDevelopmentPaymentJob.name, 'confirm', { orderId: ORDER_ID }, [ORDER_ID]],
  ])('should run %s through the service method %s, as payment-jobs in a scope named by the job', async (task, method, payload, args) => {
    const { calls, services } = recordingServices();
    const tasks = paymentTasks({ orm: {} as never, clock, logger, services });
    await tasks[task]!(payload, { job: { id: '7' } } as never);
    expect(calls.map((call) => [call.method, call.args])).toEqual([[method, args]]);
    expect(calls[0]!.scope).toMatchObject({ actor: { kind: 'system', name: 'payment-jobs' }, viewer: null, requestId: 'job:7' });
  });

  describe('POST /webhooks/stripe', () => {
    const SECRET = 'whsec_test_system_actor';
    let server: ReturnType<ReturnType<typeof express>['listen']> | undefined;
    afterEach(async () => {
      server?.close();
      if (server) await once(server, 'close');
    });

    it('should record a verified event as the system actor stripe-webhook, in a scope named by the request id', async () => {
      const { calls, services } = recordingServices();
      const app = express();
      app.use((req, _res, next) => {
        req.id = 'delivery-1';
        next();
      });
      app.use(stripeWebhookRouter({ orm: {} as never, webhookSecret: SECRET, services, clock, logger }));
      server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const event = { id: 'evt_system_actor', type: 'payment_intent.succeeded', created: Math.floor(Date.now() / 1000), data: { object: { id: 'pi_1' } } };
      const payload = JSON.stringify(event);
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }) },
        body: payload,
      });
      expect(response.status).toBe(200);
      expect(calls.map((call) => [call.method, call.args])).toEqual([['record', [PaymentProvider.STRIPE, event]]]);
      expect(calls[0]!.scope).toMatchObject({ actor: { kind: 'system', name: 'stripe-webhook' }, viewer: null, requestId: 'delivery-1' });
    });
  });
});
