import { describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { createInProcessPubSub } from '../../../src/infra/pubsub';
import { createAccessTokens } from '../../../src/modules/accounts/access-token';
import { parseAccountChangedEvent } from '../../../src/modules/accounts/account-events';
import { CATALOG_TOPIC, createCatalogVersion, followCatalogChanges } from '../../../src/modules/catalog/catalog-version';
import { parseStockChangedEvent } from '../../../src/modules/inventory/stock-events';
import { parseOrderUpdatedEvent } from '../../../src/modules/orders/order-events';
import { parseProviderEvent } from '../../../src/modules/payments/payment-transitions';
import { systemClock } from '../../../src/shared/clock';

/** What a message becomes on the wire: JSON, as NOTIFY and Redis carry it. */
const overTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/**
 * Messages that come from outside the process (PostgreSQL notifications relayed over pub/sub, pub/sub messages of
 * other instances, token claims, provider events) are checked by zod schemas: what was sent comes back as it was
 * sent, anything else is refused (null), and the callers log and drop it.
 */
describe('wire payloads', () => {
  describe('stock-changed', () => {
    const event = { productId: 'p-1', shopId: 's-1', delta: -2, reason: 'SALE', available: 8, version: 3, at: '2026-11-28T10:00:00.000Z' };

    it('should read back the event that was sent, and drop fields it does not know', () => {
      expect(parseStockChangedEvent(overTheWire(event))).toEqual(event);
      expect(parseStockChangedEvent({ ...event, extra: 'x' })).toEqual(event);
    });

    it('should refuse a message that is not an event: not an object, a field missing, a fraction, an unknown reason', () => {
      for (const message of [null, 'stock', [event], { ...event, version: undefined }, { ...event, delta: 1.5 }, { ...event, available: '8' }, { ...event, reason: 'THEFT' }]) {
        expect(parseStockChangedEvent(message)).toBeNull();
      }
    });
  });

  describe('order-updated', () => {
    const event = { orderId: 'o-1', status: 'PAID', paymentStatus: 'SUCCEEDED', shopIds: ['s-1', 's-2'], shippedShopIds: ['s-1'] };

    it('should read back the event that was sent', () => {
      expect(parseOrderUpdatedEvent(overTheWire(event))).toEqual(event);
    });

    it('should refuse an unknown status or payment status, and shop lists that are not lists of strings', () => {
      for (const message of [undefined, { ...event, status: 'LOST' }, { ...event, paymentStatus: 'paid' }, { ...event, shopIds: 's-1' }, { ...event, shippedShopIds: [1] }]) {
        expect(parseOrderUpdatedEvent(message)).toBeNull();
      }
    });
  });

  describe('account-changed', () => {
    it('should read back an account change, and refuse an unknown role or status', () => {
      const event = { userId: 'u-1', role: 'SUPPORT', status: 'ACTIVE' };
      expect(parseAccountChangedEvent(overTheWire(event))).toEqual(event);
      expect(parseAccountChangedEvent({ ...event, role: 'ROOT' })).toBeNull();
      expect(parseAccountChangedEvent({ ...event, status: 'banned' })).toBeNull();
      expect(parseAccountChangedEvent(null)).toBeNull();
    });

    it("should read back an account's deletion, and refuse a deletion flag that is not a boolean", () => {
      const event = { userId: 'u-1', role: 'BUYER', status: 'ACTIVE', deleted: true };
      expect(parseAccountChangedEvent(overTheWire(event))).toEqual(event);
      expect(parseAccountChangedEvent({ ...event, deleted: 'yes' })).toBeNull();
    });
  });

  describe('catalog-changed', () => {
    /** Publishes `message` and resolves once every subscriber before this one has handled it. */
    async function deliver(message: unknown) {
      const pubsub = createInProcessPubSub();
      const version = createCatalogVersion();
      await followCatalogChanges(version, { pubsub, redis: null });
      const handled = new Promise<void>((resolve) => void pubsub.subscribe(CATALOG_TOPIC, () => resolve()));
      await pubsub.publish(CATALOG_TOPIC, message);
      await handled;
      return version.value;
    }

    it('should bump on every relayed notification, whatever it carries (dropping cached answers is the safe side)', async () => {
      expect(await deliver({})).toBe(1);
      expect(await deliver({ origin: 42 })).toBe(1);
      expect(await deliver(null)).toBe(1);
    });
  });

  describe('access token claims', () => {
    const secret = 'a-secret-of-at-least-thirty-two-characters!';
    const tokens = createAccessTokens({ secret, ttlSeconds: 60, clock: systemClock });
    const signed = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('atelier').setAudience('atelier-api').setIssuedAt().setExpirationTime('1m').sign(new TextEncoder().encode(secret));

    it('should read the user and the session of a token it signed', async () => {
      const { token } = await tokens.sign({ userId: 'u-1', sessionId: 's-1' });
      expect(await tokens.verify(token)).toEqual({ userId: 'u-1', sessionId: 's-1' });
    });

    it('should refuse a correctly signed token whose claims are not ours: no session, or a session that is not a string', async () => {
      expect(await tokens.verify(await signed({ sub: 'u-1' }))).toBe('INVALID');
      expect(await tokens.verify(await signed({ sub: 'u-1', sid: 42 }))).toBe('INVALID');
    });
  });

  describe('provider events', () => {
    const created = 1_800_000_000;

    it('should read a field of another shape, or a missing one, as absent', () => {
      expect(parseProviderEvent({ type: 'payment_intent.succeeded', created, data: { object: { id: 'pi_1', amount: 12.5, metadata: 'o-1' } } })).toEqual({
        happening: 'succeeded',
        reference: 'pi_1',
        orderId: null,
        amount: null,
        currency: null,
        at: new Date(created * 1000),
      });
      expect(parseProviderEvent({ type: 'payment_intent.processing', created, data: { object: { id: 'pi_1', metadata: { orderId: 7 }, currency: 'eur' } } })).toMatchObject({
        orderId: null,
        currency: 'EUR',
      });
    });

    it('should ignore an intent event without an intent id, and a refund without its payment intent', () => {
      expect(parseProviderEvent({ type: 'payment_intent.succeeded', created, data: { object: { id: '', amount: 100 } } })).toBeNull();
      expect(parseProviderEvent({ type: 'charge.refunded', created, data: { object: { payment_intent: 5, amount_refunded: 100 } } })).toBeNull();
    });
  });
});
