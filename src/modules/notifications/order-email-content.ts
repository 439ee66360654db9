import type { EntityManager } from '@mikro-orm/postgresql';
import { formatMoney } from '../../shared/money';
import { runSql } from '../../shared/sql';
import { openUserDisplayName } from '../accounts';
import { openOrderAddress } from '../orders';
import { EmailKind } from './email-message.entity';

/**
 * What the emails of an order say, and where it comes from. `loadOrderFacts` reads the database;
 * `composeOrderEmail` is pure, so that the wording is tested without one.
 */

export interface Person {
  id: string;
  email: string;
  displayName: string;
}

export interface OrderFactsLine {
  title: string;
  quantity: number;
  /** Minor units of the order's currency, as at checkout. */
  unitPriceAmount: number;
  shopName: string;
  owner: Person;
}

export interface OrderFacts {
  orderId: string;
  number: string;
  currency: string;
  /** Minor units. */
  totalAmount: number;
  buyer: Person;
  shipping: { name: string; line1: string; line2: string | null; city: string; postalCode: string; country: string; phone: string | null };
  /** By shop name, then title. */
  lines: OrderFactsLine[];
  /** The shops' shipments, oldest first. */
  shipments: OrderFactsShipment[];
  /** The payment's refund reason (ORDER_CANCELLED, LATE_PAYMENT, PROVIDER) once one is due or made; else null. */
  refundReason: string | null;
}

export interface OrderFactsShipment {
  id: string;
  shopName: string;
  ownerId: string;
  carrier: string;
  trackingNumber: string;
}

export interface EmailContent {
  to: string;
  subject: string;
  body: string;
}

interface OrderRow {
  number: string;
  currency: string;
  total_amount: number;
  buyer_id: string;
  buyer_email: string;
  /** Sealed: opened with `openUserDisplayName`. */
  buyer_name: string;
  /** Sealed: opened with `openOrderAddress`. */
  shipping_address: string | null;
}

interface LineRow {
  title: string;
  quantity: number;
  unit_price_amount: number;
  shop_name: string;
  owner_id: string;
  owner_email: string;
  /** Sealed: opened with `openUserDisplayName`. */
  owner_name: string;
}

/** The order, its buyer, its lines with their shops and owners, its shipments and refund reason, in four statements; null if no such order. */
export async function loadOrderFacts(em: EntityManager, orderId: string): Promise<OrderFacts | null> {
  const [order] = await runSql<OrderRow>(
    em,
    `select o.number, o.currency, o.total_amount, o.buyer_id, b.email as buyer_email, b.display_name as buyer_name,
            o.shipping_address
       from customer_order o join app_user b on b.id = o.buyer_id
      where o.id = ?`,
    [orderId],
  );
  if (!order) return null;
  const lines = await runSql<LineRow>(
    em,
    `select p.title, l.quantity, l.unit_price_amount, s.name as shop_name, s.owner_id, u.email as owner_email, u.display_name as owner_name
       from order_line l join product p on p.id = l.product_id join shop s on s.id = p.shop_id join app_user u on u.id = s.owner_id
      where l.order_id = ?
      order by s.name, p.title, l.id`,
    [orderId],
  );
  const shipments = await runSql<{ id: string; shop_name: string; owner_id: string; carrier: string; tracking_number: string }>(
    em,
    `select sh.id, s.name as shop_name, s.owner_id, sh.carrier, sh.tracking_number
       from shipment sh join shop s on s.id = sh.shop_id
      where sh.order_id = ? order by sh.shipped_at, sh.id`,
    [orderId],
  );
  const [payment] = await runSql<{ refund_reason: string | null }>(em, 'select refund_reason from payment where order_id = ?', [orderId]);
  return {
    orderId,
    number: order.number,
    currency: order.currency.trim(),
    totalAmount: order.total_amount,
    buyer: { id: order.buyer_id, email: order.buyer_email, displayName: openUserDisplayName(order.buyer_id, order.buyer_name) },
    shipping: openShipping(orderId, order.shipping_address),
    lines: lines.map((line) => ({
      title: line.title,
      quantity: line.quantity,
      unitPriceAmount: line.unit_price_amount,
      shopName: line.shop_name,
      owner: { id: line.owner_id, email: line.owner_email, displayName: openUserDisplayName(line.owner_id, line.owner_name) },
    })),
    shipments: shipments.map((row) => ({ id: row.id, shopName: row.shop_name, ownerId: row.owner_id, carrier: row.carrier, trackingNumber: row.tracking_number })),
    refundReason: payment?.refund_reason ?? null,
  };
}

/** The order's address for its emails; an erased or unreadable one fails the job (retried, then kept with its error). */
function openShipping(orderId: string, sealed: string | null): OrderFacts['shipping'] {
  if (sealed === null) throw new Error(`the shipping address of order ${orderId} was erased`);
  const address = openOrderAddress(orderId, sealed);
  return { ...address, line2: address.line2 ?? null, phone: address.phone ?? null, country: address.country.trim() };
}

/**
 * The email of `kind` for `recipientId` about an order, or null when that person is not concerned (not the
 * buyer of a buyer's email, not the owner of a shop of the order for a notice) or `partKey` names no shipment
 * of the order (ORDER_SHIPPED).
 */
export function composeOrderEmail(order: OrderFacts, kind: EmailKind, recipientId: string, partKey = ''): EmailContent | null {
  const toBuyer = order.buyer.id === recipientId;
  switch (kind) {
    case EmailKind.ORDER_CONFIRMATION:
      return toBuyer ? orderConfirmation(order) : null;
    case EmailKind.ORDER_SHIPPED: {
      const shipment = order.shipments.find((candidate) => candidate.id === partKey);
      return toBuyer && shipment ? orderShipped(order, shipment) : null;
    }
    case EmailKind.ORDER_CANCELLED:
      return toBuyer ? orderCancelled(order) : null;
    case EmailKind.REFUND_ISSUED:
      return toBuyer ? refundIssued(order) : null;
    case EmailKind.NEW_ORDER: {
      const lines = order.lines.filter((line) => line.owner.id === recipientId);
      return lines.length ? newOrderNotice(order, lines) : null;
    }
    case EmailKind.PASSWORD_RESET:
      // An account email, written when it is asked for (account-emails.ts), never about an order.
      return null;
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown email kind ${String(unreachable)}`);
    }
  }
}

function orderConfirmation(order: OrderFacts): EmailContent {
  const { shipping } = order;
  const address = [
    shipping.name,
    shipping.line1,
    shipping.line2,
    `${shipping.postalCode} ${shipping.city}`,
    shipping.country,
    shipping.phone,
  ].filter((part): part is string => Boolean(part));
  const body = [
    `Hello ${order.buyer.displayName},`,
    '',
    `Thank you for your order ${order.number}: your payment was received, and the artisans are preparing it.`,
    '',
    ...lineTexts(order.lines, order.currency),
    '',
    `Total: ${formatMoney(order.totalAmount, order.currency)}`,
    '',
    'Shipping to:',
    ...address.map((part) => `  ${part}`),
    '',
    SIGNATURE,
  ];
  return { to: order.buyer.email, subject: `Your order ${order.number} is confirmed`, body: body.join('\n') };
}

function newOrderNotice(order: OrderFacts, lines: OrderFactsLine[]): EmailContent {
  const { owner, shopName } = lines[0]!;
  const subtotal = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceAmount, 0);
  const body = [
    `Hello ${owner.displayName},`,
    '',
    `Order ${order.number} was paid. From ${shopName}, it contains:`,
    '',
    ...lineTexts(lines, order.currency),
    '',
    `Your items: ${formatMoney(subtotal, order.currency)}`,
    '',
    SIGNATURE,
  ];
  return { to: owner.email, subject: `New order ${order.number} for ${shopName}`, body: body.join('\n') };
}

function orderShipped(order: OrderFacts, shipment: OrderFactsShipment): EmailContent {
  const lines = order.lines.filter((line) => line.owner.id === shipment.ownerId);
  const remaining = new Set(order.lines.map((line) => line.owner.id));
  for (const shipped of order.shipments) remaining.delete(shipped.ownerId);
  const body = [
    `Hello ${order.buyer.displayName},`,
    '',
    `${shipment.shopName} has shipped its part of your order ${order.number}:`,
    '',
    ...lineTexts(lines, order.currency),
    '',
    `Carrier: ${shipment.carrier}`,
    `Tracking number: ${shipment.trackingNumber}`,
    '',
    remaining.size ? 'The rest of your order will follow from the other artisans.' : 'This was the last part of your order: everything is on its way.',
    '',
    SIGNATURE,
  ];
  return { to: order.buyer.email, subject: `Your order ${order.number} has shipped from ${shipment.shopName}`, body: body.join('\n') };
}

function orderCancelled(order: OrderFacts): EmailContent {
  const refund =
    order.refundReason === 'ORDER_CANCELLED'
      ? `Your payment of ${formatMoney(order.totalAmount, order.currency)} is being refunded; you will receive a separate email once it is done.`
      : 'No payment was taken.';
  const body = [
    `Hello ${order.buyer.displayName},`,
    '',
    `Your order ${order.number} was cancelled.`,
    '',
    ...lineTexts(order.lines, order.currency),
    '',
    refund,
    '',
    SIGNATURE,
  ];
  return { to: order.buyer.email, subject: `Your order ${order.number} was cancelled`, body: body.join('\n') };
}

const REFUND_WHY: Readonly<Record<string, string>> = {
  ORDER_CANCELLED: 'because the order was cancelled',
  LATE_PAYMENT: 'because your payment arrived after the order had expired or been cancelled',
  PROVIDER: 'by our payment provider',
};

function refundIssued(order: OrderFacts): EmailContent {
  const why = REFUND_WHY[order.refundReason ?? ''] ?? '';
  const body = [
    `Hello ${order.buyer.displayName},`,
    '',
    `We refunded ${formatMoney(order.totalAmount, order.currency)} for your order ${order.number}${why ? `, ${why}` : ''}.`,
    'Depending on your bank, it may take a few days to appear on your statement.',
    '',
    SIGNATURE,
  ];
  return { to: order.buyer.email, subject: `Refund for your order ${order.number}`, body: body.join('\n') };
}

/** `  Blue mug × 2 at €12.50 = €25.00`: integers all the way, formatted only for display. */
function lineTexts(lines: OrderFactsLine[], currency: string): string[] {
  return lines.map(
    (line) =>
      `  ${line.title} × ${line.quantity} at ${formatMoney(line.unitPriceAmount, currency)} = ${formatMoney(line.quantity * line.unitPriceAmount, currency)}`,
  );
}

const SIGNATURE = '— Atelier';
