import { describe, expect, it } from '@jest/globals';
import { orderEmailMessageId } from '../../../src/modules/notifications/email-delivery';
import { EmailKind } from '../../../src/modules/notifications/email-message.entity';
import { composeOrderEmail, type OrderFacts } from '../../../src/modules/notifications/order-email-content';

const buyer = { id: '0190a000-0000-7000-8000-000000000001', email: 'ana@example.test', displayName: 'Ana' };
const potter = { id: '0190a000-0000-7000-8000-000000000002', email: 'potter@example.test', displayName: 'Paulo' };
const weaver = { id: '0190a000-0000-7000-8000-000000000003', email: 'weaver@example.test', displayName: 'Wen' };

const order: OrderFacts = {
  orderId: '0190a000-0000-7000-8000-00000000000a',
  number: 'AT-001042',
  currency: 'EUR',
  totalAmount: 2 * 1_250 + 4_000,
  buyer,
  shipping: { name: 'Ana Lima', line1: '12 rue des Potiers', line2: null, city: 'Lyon', postalCode: '69001', country: 'FR', phone: '+33 4 00 00 00 00' },
  lines: [
    { title: 'Blue mug', quantity: 2, unitPriceAmount: 1_250, shopName: 'Clay & Co', owner: potter },
    { title: 'Wool scarf', quantity: 1, unitPriceAmount: 4_000, shopName: 'Loom', owner: weaver },
  ],
  shipments: [],
  refundReason: null,
};

const potterShipment = { id: '0190a000-0000-7000-8000-0000000000b1', shopName: 'Clay & Co', ownerId: potter.id, carrier: 'La Poste', trackingNumber: '6A12345678901' };
const weaverShipment = { id: '0190a000-0000-7000-8000-0000000000b2', shopName: 'Loom', ownerId: weaver.id, carrier: 'DHL', trackingNumber: 'JD0146000012' };

describe('the emails of a paid order', () => {
  it('should confirm to the buyer every line, the total and the shipping address', () => {
    const email = composeOrderEmail(order, EmailKind.ORDER_CONFIRMATION, buyer.id)!;
    expect(email.to).toBe('ana@example.test');
    expect(email.subject).toBe('Your order AT-001042 is confirmed');
    expect(email.body).toContain('  Blue mug × 2 at €12.50 = €25.00');
    expect(email.body).toContain('  Wool scarf × 1 at €40.00 = €40.00');
    expect(email.body).toContain('Total: €65.00');
    expect(email.body).toContain(['Shipping to:', '  Ana Lima', '  12 rue des Potiers', '  69001 Lyon', '  FR', '  +33 4 00 00 00 00'].join('\n'));
  });

  it("should tell each artisan only its own shop's lines and their sum, without the buyer's address", () => {
    const email = composeOrderEmail(order, EmailKind.NEW_ORDER, potter.id)!;
    expect(email.to).toBe('potter@example.test');
    expect(email.subject).toBe('New order AT-001042 for Clay & Co');
    expect(email.body).toContain('  Blue mug × 2 at €12.50 = €25.00');
    expect(email.body).toContain('Your items: €25.00');
    expect(email.body).not.toContain('Wool scarf');
    expect(email.body).not.toContain('rue des Potiers');
  });

  it('should write nothing to someone with no part in the order', () => {
    expect(composeOrderEmail(order, EmailKind.ORDER_CONFIRMATION, potter.id)).toBeNull();
    expect(composeOrderEmail(order, EmailKind.NEW_ORDER, buyer.id)).toBeNull();
  });

  it('should show yen without decimals', () => {
    const yen: OrderFacts = { ...order, currency: 'JPY', totalAmount: 3 * 1_500, lines: [{ ...order.lines[0]!, quantity: 3, unitPriceAmount: 1_500 }] };
    const email = composeOrderEmail(yen, EmailKind.ORDER_CONFIRMATION, buyer.id)!;
    expect(email.body).toContain('  Blue mug × 3 at ¥1,500 = ¥4,500');
    expect(email.body).toContain('Total: ¥4,500');
  });

  it("should tell the buyer of each shipment: the shop, its lines, the carrier and the tracking number, and whether more follows", () => {
    const partly: OrderFacts = { ...order, shipments: [potterShipment] };
    const first = composeOrderEmail(partly, EmailKind.ORDER_SHIPPED, buyer.id, potterShipment.id)!;
    expect(first.to).toBe('ana@example.test');
    expect(first.subject).toBe('Your order AT-001042 has shipped from Clay & Co');
    expect(first.body).toContain('  Blue mug × 2 at €12.50 = €25.00');
    expect(first.body).not.toContain('Wool scarf');
    expect(first.body).toContain('Carrier: La Poste');
    expect(first.body).toContain('Tracking number: 6A12345678901');
    expect(first.body).toContain('The rest of your order will follow');
    const whole: OrderFacts = { ...order, shipments: [potterShipment, weaverShipment] };
    const last = composeOrderEmail(whole, EmailKind.ORDER_SHIPPED, buyer.id, weaverShipment.id)!;
    expect(last.body).toContain('Tracking number: JD0146000012');
    expect(last.body).toContain('everything is on its way');
    expect(composeOrderEmail(whole, EmailKind.ORDER_SHIPPED, buyer.id, '0190a000-0000-7000-8000-0000000000ff')).toBeNull();
    expect(composeOrderEmail(whole, EmailKind.ORDER_SHIPPED, potter.id, potterShipment.id)).toBeNull();
  });

  it('should tell the buyer of a cancellation, and whether a refund follows', () => {
    const unpaid = composeOrderEmail(order, EmailKind.ORDER_CANCELLED, buyer.id)!;
    expect(unpaid.subject).toBe('Your order AT-001042 was cancelled');
    expect(unpaid.body).toContain('No payment was taken.');
    const paid = composeOrderEmail({ ...order, refundReason: 'ORDER_CANCELLED' }, EmailKind.ORDER_CANCELLED, buyer.id)!;
    expect(paid.body).toContain('Your payment of €65.00 is being refunded');
    expect(composeOrderEmail(order, EmailKind.ORDER_CANCELLED, potter.id)).toBeNull();
  });

  it('should tell the buyer of a refund, its amount and why', () => {
    const email = composeOrderEmail({ ...order, refundReason: 'LATE_PAYMENT' }, EmailKind.REFUND_ISSUED, buyer.id)!;
    expect(email.subject).toBe('Refund for your order AT-001042');
    expect(email.body).toContain('We refunded €65.00 for your order AT-001042, because your payment arrived after the order had expired');
  });

  it('should derive the Message-ID from order, kind and recipient, with the domain of MAIL_FROM', () => {
    const job = { orderId: order.orderId, kind: EmailKind.NEW_ORDER, recipientId: potter.id };
    expect(orderEmailMessageId(job, 'Atelier <no-reply@atelier.example>')).toBe(`<new-order.${order.orderId}.${potter.id}@atelier.example>`);
    expect(orderEmailMessageId(job, 'orders@shop.example')).toBe(`<new-order.${order.orderId}.${potter.id}@shop.example>`);
    const shipped = { orderId: order.orderId, kind: EmailKind.ORDER_SHIPPED, recipientId: buyer.id, partKey: potterShipment.id };
    expect(orderEmailMessageId(shipped, 'orders@shop.example')).toBe(`<order-shipped.${order.orderId}.${buyer.id}.${potterShipment.id}@shop.example>`);
  });
});
