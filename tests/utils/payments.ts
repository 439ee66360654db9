import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { runSql } from '../../src/shared/sql';
import type { FakeStripe } from './fake-stripe';
import { ADDRESS } from '../fixtures/addresses';
import { createProducts, type TestShop } from '../fixtures/shops';
import { AddToCartDocument, CheckoutDocument, type CheckoutMutation } from '../generated/graphql';
import { createUser, type TestUser } from './buyers';
import { dataOf, sendAs } from './operations';
import type { TestServer } from './test-server';

/** The environment that points the real `stripe` SDK of a server or worker at `fake`, with `extra` over it. */
export function fakeStripeEnv(fake: FakeStripe, extra: Record<string, string> = {}): Record<string, string> {
  return { STRIPE_SECRET_KEY: fake.apiKey, STRIPE_WEBHOOK_SECRET: fake.webhookSecret, STRIPE_API_URL: fake.url, ...extra };
}

/** An order with its payment as the payment tests read it (beyond the contract's fields). */
export interface PaidOrderView {
  id: string;
  number: string;
  status: string;
  payment: { provider: string; status: string; clientSecret: string | null; refundReason: string | null; amount: { amount: number; currency: string } };
}

const ORDER_FIELDS = 'id number status payment { provider status clientSecret refundReason amount { amount currency } }';

export const PaymentOfOrderDocument = parse(`query PaymentOfOrder($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`) as TypedDocumentNode<
  { order: PaidOrderView },
  { id: string }
>;

export const StartPaymentDocument = parse(`mutation StartPayment($orderId: ID!) { startPayment(orderId: $orderId) { ${ORDER_FIELDS} } }`) as TypedDocumentNode<
  { startPayment: PaidOrderView },
  { orderId: string }
>;

export const CancelOrderWithPaymentDocument = parse(`mutation CancelOrderWithPayment($id: ID!) { cancelOrder(id: $id) { ${ORDER_FIELDS} } }`) as TypedDocumentNode<
  { cancelOrder: PaidOrderView },
  { id: string }
>;

export interface PlacedOrder {
  buyer: TestUser;
  productId: string;
  order: CheckoutMutation['checkout'];
}

/** A new buyer checks out `quantity` of a new product of `shop` (price and stock as given). */
export async function placeOrder(server: TestServer, shop: TestShop, options: { quantity?: number; stock?: number; priceAmount?: number } = {}): Promise<PlacedOrder> {
  const buyer = await createUser(server);
  const [productId] = await createProducts(server, shop, [{ stock: options.stock ?? 10, ...(options.priceAmount ? { priceAmount: options.priceAmount } : {}) }]);
  dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId: productId!, quantity: options.quantity ?? 1 }));
  const order = dataOf(await sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: 'pay', shippingAddress: ADDRESS } })).checkout;
  return { buyer, productId: productId!, order };
}

/** The order and payment as the buyer reads them now. */
export async function paymentView(server: TestServer, placed: PlacedOrder): Promise<PaidOrderView> {
  return dataOf(await sendAs(server.graphqlUrl, placed.buyer.token, PaymentOfOrderDocument, { id: placed.order.id })).order;
}

/** The recorded provider events of an order's intent, oldest first. */
export function paymentEventsOf(server: TestServer, reference: string) {
  return runSql<{ id: string; type: string; processed_at: Date | null; outcome: string | null }>(
    server.database.orm.em.fork(),
    `select id, type, processed_at, outcome from payment_event
      where payload->'data'->'object'->>'id' = ? or payload->'data'->'object'->>'payment_intent' = ?
      order by received_at, id`,
    [reference, reference],
  );
}

/** The provider reference (PaymentIntent id) stored for an order. */
export async function providerReferenceOf(server: TestServer, orderId: string): Promise<string | null> {
  const [row] = await runSql<{ provider_reference: string | null }>(server.database.orm.em.fork(), 'select provider_reference from payment where order_id = ?', [orderId]);
  return row?.provider_reference ?? null;
}
