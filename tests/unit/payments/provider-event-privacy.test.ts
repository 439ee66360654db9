import { describe, expect, it } from '@jest/globals';
import { parseProviderEvent } from '../../../src/modules/payments/payment-transitions';
import { withoutPersonalData } from '../../../src/modules/payments/provider-event-privacy';

const PAYER = {
  name: 'Ana Lima',
  email: 'ana.lima@example.test',
  phone: '+33 6 11 22 33 44',
  address: { line1: '12 rue des Potiers', line2: null, city: 'Lyon', postal_code: '69001', country: 'FR', state: null },
};

/** A declined payment as Stripe sends it, the payment method (with the cardholder's billing details) expanded. */
const failed = {
  id: 'evt_1',
  object: 'event',
  type: 'payment_intent.payment_failed',
  created: 1_764_000_000,
  data: {
    object: {
      id: 'pi_1',
      object: 'payment_intent',
      amount: 2_400,
      currency: 'eur',
      status: 'requires_payment_method',
      metadata: { orderId: '01a225a9-3bb7-761a-9b5b-34a4a8ea24a2', orderNumber: 'AT-000042' },
      receipt_email: PAYER.email,
      shipping: { name: PAYER.name, phone: PAYER.phone, address: PAYER.address },
      last_payment_error: { code: 'card_declined', payment_method: { id: 'pm_1', billing_details: PAYER, card: { brand: 'visa', last4: '0002' } } },
      charges: { data: [{ id: 'ch_1', billing_details: PAYER, outcome: { type: 'issuer_declined' } }] },
    },
  },
};

describe('provider events as stored', () => {
  it('should blank the payer\'s details at any depth and keep what payments and operators read', () => {
    const stored = withoutPersonalData(failed);
    const text = JSON.stringify(stored);
    for (const part of [PAYER.name, PAYER.email, PAYER.phone, PAYER.address.line1, PAYER.address.postal_code]) expect(text).not.toContain(part);
    expect(stored.data.object).toMatchObject({
      id: 'pi_1',
      amount: 2_400,
      status: 'requires_payment_method',
      metadata: failed.data.object.metadata,
      receipt_email: null,
      shipping: null,
      last_payment_error: { code: 'card_declined', payment_method: { id: 'pm_1', billing_details: null, card: { brand: 'visa', last4: '0002' } } },
      charges: { data: [{ id: 'ch_1', billing_details: null, outcome: { type: 'issuer_declined' } }] },
    });
    expect(parseProviderEvent(stored)).toEqual(parseProviderEvent(failed));
    // The event itself is not changed.
    expect(failed.data.object.receipt_email).toBe(PAYER.email);
  });
});
