import { describe, expect, it } from '@jest/globals';
import { OrderStatus } from '../../../src/modules/orders/order-status';
import { RefundReason } from '../../../src/modules/payments/payment.entity';
import { PaymentStatus } from '../../../src/modules/payments/payment-status';
import { decideTransition, parseProviderEvent, type ParsedProviderEvent, type PaymentState } from '../../../src/modules/payments/payment-transitions';

const T0 = new Date('2026-11-22T10:00:00Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function state(overrides: Partial<PaymentState> = {}): PaymentState {
  return {
    paymentStatus: PaymentStatus.REQUIRES_PAYMENT,
    orderStatus: OrderStatus.PENDING_PAYMENT,
    lastEventAt: null,
    amount: 4200,
    currency: 'USD',
    refundReason: null,
    ...overrides,
  };
}

function event(happening: ParsedProviderEvent['happening'], at = T0, amount: number | null = 4200): ParsedProviderEvent {
  return { happening, reference: 'pi_1', orderId: null, amount, currency: 'USD', at };
}

describe('parseProviderEvent', () => {
  it('should read a payment_intent.succeeded event with the order id of its metadata', () => {
    const parsed = parseProviderEvent({
      type: 'payment_intent.succeeded',
      created: T0.getTime() / 1000,
      data: { object: { id: 'pi_1', amount: 4200, amount_received: 4200, currency: 'jpy', metadata: { orderId: 'o-1' } } },
    });
    expect(parsed).toEqual({ happening: 'succeeded', reference: 'pi_1', orderId: 'o-1', amount: 4200, currency: 'JPY', at: T0 });
  });

  it('should read a full refund from charge.refunded and from refund.updated', () => {
    const created = T0.getTime() / 1000;
    expect(parseProviderEvent({ type: 'charge.refunded', created, data: { object: { payment_intent: 'pi_1', amount_refunded: 4200 } } })).toMatchObject({
      happening: 'refunded',
      reference: 'pi_1',
      amount: 4200,
    });
    expect(parseProviderEvent({ type: 'refund.updated', created, data: { object: { payment_intent: 'pi_1', amount: 4200, status: 'succeeded' } } })).toMatchObject({
      happening: 'refunded',
    });
    expect(parseProviderEvent({ type: 'refund.updated', created, data: { object: { payment_intent: 'pi_1', amount: 4200, status: 'pending' } } })).toBeNull();
  });

  it('should ignore event types that payments do not act on', () => {
    expect(parseProviderEvent({ type: 'customer.created', created: 1, data: { object: { id: 'cus_1' } } })).toBeNull();
  });
});

describe('decideTransition', () => {
  it('should make a pending order PAID on success, and queue its emails', () => {
    expect(decideTransition(state(), event('succeeded'))).toMatchObject({
      kind: 'apply',
      payment: PaymentStatus.SUCCEEDED,
      order: OrderStatus.PAID,
      orderPaid: true,
      refundDue: false,
    });
  });

  it('should ignore a success seen twice', () => {
    expect(decideTransition(state({ paymentStatus: PaymentStatus.SUCCEEDED, orderStatus: OrderStatus.PAID }), event('succeeded')).kind).toBe('ignore');
  });

  it('should never let a late processing event undo a success', () => {
    const paid = state({ paymentStatus: PaymentStatus.SUCCEEDED, orderStatus: OrderStatus.PAID, lastEventAt: T0 });
    expect(decideTransition(paid, event('processing', later(-5))).kind).toBe('ignore');
    expect(decideTransition(paid, event('failed', later(5))).kind).toBe('ignore');
  });

  it('should make the order PAYMENT_FAILED on failure, and PAID when the buyer tries again and succeeds', () => {
    const failed = decideTransition(state(), event('failed'));
    expect(failed).toMatchObject({ kind: 'apply', payment: PaymentStatus.FAILED, order: OrderStatus.PAYMENT_FAILED });
    const retried = state({ paymentStatus: PaymentStatus.FAILED, orderStatus: OrderStatus.PAYMENT_FAILED, lastEventAt: T0 });
    expect(decideTransition(retried, event('processing', later(10)))).toMatchObject({ kind: 'apply', payment: PaymentStatus.PROCESSING, order: null });
    expect(decideTransition(retried, event('succeeded', later(20)))).toMatchObject({ kind: 'apply', payment: PaymentStatus.SUCCEEDED, order: OrderStatus.PAID });
  });

  it('should ignore a processing event older than the failure it would replace', () => {
    const failed = state({ paymentStatus: PaymentStatus.FAILED, orderStatus: OrderStatus.PAYMENT_FAILED, lastEventAt: T0 });
    expect(decideTransition(failed, event('processing', later(-1))).kind).toBe('ignore');
  });

  it('should ignore a failure older than the processing that followed it', () => {
    const processing = state({ paymentStatus: PaymentStatus.PROCESSING, lastEventAt: T0 });
    expect(decideTransition(processing, event('failed', later(-1))).kind).toBe('ignore');
    expect(decideTransition(processing, event('failed', T0)).kind).toBe('apply');
  });

  it('should refund a success that comes after the order expired or was cancelled', () => {
    for (const orderStatus of [OrderStatus.EXPIRED, OrderStatus.CANCELLED]) {
      expect(decideTransition(state({ paymentStatus: PaymentStatus.CANCELLED, orderStatus }), event('succeeded'))).toMatchObject({
        kind: 'apply',
        payment: PaymentStatus.SUCCEEDED,
        order: null,
        refundReason: RefundReason.LATE_PAYMENT,
        refundDue: true,
        orderPaid: false,
      });
    }
  });

  it('should leave a success for another amount to an operator', () => {
    expect(decideTransition(state(), event('succeeded', T0, 100)).kind).toBe('ignore');
  });

  it('should mark a succeeded payment REFUNDED once, keeping why it was refunded', () => {
    const due = state({ paymentStatus: PaymentStatus.SUCCEEDED, orderStatus: OrderStatus.CANCELLED, refundReason: RefundReason.ORDER_CANCELLED });
    expect(decideTransition(due, event('refunded'))).toMatchObject({ kind: 'apply', payment: PaymentStatus.REFUNDED, refundReason: RefundReason.ORDER_CANCELLED });
    const fromDashboard = state({ paymentStatus: PaymentStatus.SUCCEEDED, orderStatus: OrderStatus.PAID });
    expect(decideTransition(fromDashboard, event('refunded'))).toMatchObject({ refundReason: RefundReason.PROVIDER });
    expect(decideTransition(state({ paymentStatus: PaymentStatus.REFUNDED }), event('refunded')).kind).toBe('ignore');
  });

  it('should wait with a refund seen before the success it undoes', () => {
    expect(decideTransition(state(), event('refunded')).kind).toBe('retry-later');
  });

  it('should ignore a partial refund', () => {
    expect(decideTransition(state({ paymentStatus: PaymentStatus.SUCCEEDED, orderStatus: OrderStatus.PAID }), event('refunded', T0, 1000)).kind).toBe('ignore');
  });

  it('should refuse a stored event time that is text, as raw SQL returns timestamptz, instead of comparing it', () => {
    const text = '2026-11-22 10:00:00+00' as unknown as Date;
    expect(() => decideTransition(state({ paymentStatus: PaymentStatus.PROCESSING, lastEventAt: text }), event('failed', later(4)))).toThrow(TypeError);
  });
});
