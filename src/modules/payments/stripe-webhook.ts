import type { MikroORM } from '@mikro-orm/postgresql';
import express, { Router, type Request, type Response } from 'express';
import Stripe from 'stripe';
import { z } from 'zod';
import type { Logger } from '../../infra/logger';
import type { Clock } from '../../shared/clock';
import { systemScope } from '../service-scope';
import type { PaymentEventService, ProviderEvent } from './payment-events';
import { PaymentProvider } from './payment.entity';

/** Stripe's default: a signature older than five minutes is a replay. */
const TOLERANCE_SECONDS = 300;
/** Stripe's events are a few kilobytes; this is generous. */
const MAX_EVENT_BYTES = 512 * 1024;

/**
 * What payments need of a verified event (Stripe's Event shape). Loose: the event is recorded whole, every field kept.
 * `data.object` must be an object: a null or an array would fail its processing forever, after the 200.
 */
const providerEventSchema: z.ZodType<ProviderEvent> = z.looseObject({
  id: z.string(),
  type: z.string(),
  created: z.number(),
  data: z.looseObject({ object: z.record(z.string(), z.unknown()) }),
});

export interface StripeWebhookDeps {
  orm: MikroORM;
  /** STRIPE_WEBHOOK_SECRET; null: every delivery is refused. */
  webhookSecret: string | null;
  clock: Clock;
  logger: Logger;
  /** The app's services: a delivery is recorded by the same method as the DEVELOPMENT provider's events, as the system (`stripe-webhook`). */
  services: { paymentEventService: PaymentEventService };
  /** Counts deliveries by result (metrics). */
  onDelivery?: (result: 'recorded' | 'duplicate' | 'rejected' | 'error') => void;
}

/**
 * `POST /webhooks/stripe`: verifies Stripe's signature on the raw body (400 without a valid one), records the
 * event once by its id and queues its processing (`paymentEventService.record`, acting as `stripe-webhook` with the
 * request's id), and answers 200 at once: the work runs from the queue. A duplicate answers 200 and does nothing. A database failure answers 500, so Stripe
 * delivers again later (it retries for three days).
 */
export function stripeWebhookRouter(deps: StripeWebhookDeps): Router {
  const log = deps.logger.child({ component: 'stripe-webhook' });
  const router = Router();
  router.post('/webhooks/stripe', express.raw({ type: () => true, limit: MAX_EVENT_BYTES }), async (req: Request, res: Response) => {
    const rejected = (message: string) => {
      deps.onDelivery?.('rejected');
      log.warn({ reason: message }, 'webhook refused');
      res.status(400).json({ error: message });
    };
    if (!deps.webhookSecret) return rejected('Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)');
    const signature = req.headers['stripe-signature'];
    if (typeof signature !== 'string') return rejected('Missing Stripe-Signature header');
    if (!Buffer.isBuffer(req.body)) return rejected('Empty body');
    const nowMs = deps.clock.now().getTime();
    const nowSeconds = Math.floor(nowMs / 1000);
    let verified: unknown;
    try {
      // `receivedAt` is in milliseconds (stripe-node divides it by 1000), unlike the header's `t`.
      verified = Stripe.webhooks.constructEvent(req.body, signature, deps.webhookSecret, TOLERANCE_SECONDS, undefined, nowMs);
    } catch (error) {
      return rejected(`Invalid signature: ${(error as Error).message}`);
    }
    // The SDK accepts a timestamp from the future; a signature made more than the tolerance ahead is no better than a stale one.
    const signedAt = Number(/(?:^|,)t=(\d+)/.exec(signature)?.[1]);
    if (signedAt > nowSeconds + TOLERANCE_SECONDS) return rejected('Invalid signature: timestamp too far in the future');
    const parsed = providerEventSchema.safeParse(verified);
    if (!parsed.success) return rejected('Not a Stripe event');
    const event = parsed.data;
    try {
      const scope = systemScope(deps, 'stripe-webhook', req.id);
      const recorded = await deps.services.paymentEventService.record(scope, PaymentProvider.STRIPE, event);
      deps.onDelivery?.(recorded ? 'recorded' : 'duplicate');
      log.info({ eventId: event.id, type: event.type, duplicate: !recorded }, 'webhook received');
      res.json({ received: true, duplicate: !recorded });
    } catch (error) {
      deps.onDelivery?.('error');
      log.error({ err: error, eventId: event.id }, 'webhook could not be recorded: Stripe will deliver it again');
      res.status(500).json({ error: 'Could not record the event; deliver it again' });
    }
  });
  return router;
}
