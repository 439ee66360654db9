import { ref, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config/config';
import type { ServiceScope } from '../service-scope';
import { AppError, BadUserInputError, ConflictError, ErrorCode } from '../../shared/errors';
import { runSql, type SqlFragment } from '../../shared/sql';
import { requireViewer, User } from '../accounts';
import { cartIdOf, cartCheckoutReadSql, cartCheckoutWriteSql, type CartCheckoutWriteSql } from '../cart';
import { catalogChanged, type CatalogVersion, Product, Shop } from '../catalog';
import { OutOfStockError, takeStockSql, StockReason } from '../inventory';
import { newOrderPayment, type Payment, type PaymentService, type StoredIntent, type PaymentsRuntime } from '../payments';
import type { Address } from './address';
import { checkoutFingerprint, checkoutFingerprintMatches, normalizeAddress, type CheckoutLine } from './checkout-request';
import type { CheckoutInput } from './checkout.inputs';
import { newOrderEvent, ORDER_NOTIFY_CHANNEL } from './order-events';
import { OrderLine } from './order-line.entity';
import { AWAITING_PAYMENT, OrderStatus } from './order-status';
import { expireOrderJob } from './order-job-names';
import { Order } from './order.entity';

/** The largest amount a GraphQL Int (and so Money.amount) can carry. */
const MAX_TOTAL = 2_147_483_647;

interface PricedLine extends CheckoutLine {
  priceAmount: number;
  currency: string;
  shopId: string;
  archived: boolean;
}

/** What checkout is made with; `paymentService` is called at call time (it may be made after this one). */
export interface CheckoutDeps {
  /** The reservation's length and the limits on unpaid orders. */
  config: Pick<Config, 'orders' | 'limits'>;
  /** The provider of the moment, which a new order's payment is made with. */
  payments: PaymentsRuntime;
  /** This instance's catalogue version: a checkout takes stock, so the next catalogue read misses its cache. */
  catalogVersion: CatalogVersion;
  paymentService: PaymentService;
}

/**
 * Checkout: the caller's cart becomes an order, at once or not at all, in two statements.
 *
 * The first ({@link readCheckout}) reads everything checkout decides on: the priced cart, the order of this
 * idempotency key, the buyer's unpaid orders, and the version of the cart row. The second ({@link writeOrder}), a
 * transaction on its own, locks the cart row (`FOR UPDATE`) and writes everything: the order, its lines (prices
 * copied), its payment and its expiry job, the cart emptied, and the stock of every line through the ledger's
 * conditional update (`takeStockSql`: products locked in id order, never read-then-write). It aborts itself, so that
 * nothing is written, when a line lacks stock (OUT_OF_STOCK) or when the cart row is no longer the version read (a
 * cart change or another checkout of the buyer committed in between: every one writes that row): the checkout is
 * then read and decided again. No round trip to the server happens while a product's row is locked: a popular
 * product is locked for the time PostgreSQL takes to run one statement and commit it.
 *
 * After the commit, the payment gets its provider intent and client secret (`paymentService.prepareQuietly`), and
 * the request's loaders are primed with what was written: the answer costs no statement beyond its products.
 *
 * Idempotency: a key already used returns its order when the request is the same: the same address, and
 * either the same cart or an empty one (a retry after success finds the cart emptied by the first attempt).
 * Anything else is a CONFLICT. A checkout that failed wrote nothing, so its key can be used again. Concurrent calls
 * with one key: one writes, the others find the cart row changed, read again and replay its order (the unique index
 * on (buyer, key) stands behind it).
 */
export function createCheckoutService(deps: CheckoutDeps) {
  return {
    async checkout(ctx: ServiceScope, input: CheckoutInput): Promise<Order> {
      const viewer = requireViewer(ctx);
      const address = normalizeAddress(input.shippingAddress);
      const key = input.idempotencyKey;
      const cartId = cartIdOf(viewer.userId);
      for (let tries = 1; ; tries++) {
        try {
          const read = await readCheckout(ctx.em, { buyerId: viewer.userId, cartId, key });
          if (read.existingOrderId) {
            const order = await replay(ctx.em, read.existingOrderId, read.lines, address);
            // A replay gets the intent that a first attempt could not (provider down then), with the same idempotency key.
            await deps.paymentService.prepareQuietly(ctx, order.id);
            return order;
          }
          const created = await createOrder(ctx, deps, { buyerId: viewer.userId, cartId, key, address, read, expectedTotal: input.expectedTotal ?? null });
          // Stock was taken (the statement committed): this instance's next catalogue read misses its cache.
          catalogChanged(ctx.em, deps.catalogVersion);
          // After the commit, never inside it: a slow provider holds no lock.
          const { order, payment } = created;
          const prepared = await deps.paymentService.prepareQuietly(ctx, order.id, {
            provider: payment.provider,
            orderNumber: order.number,
            amount: payment.amount,
            currency: payment.currency,
          });
          primeLoaders(ctx, created, prepared.stored);
          return order;
        } catch (error) {
          const abort = checkoutAbortOf(error);
          if (abort?.reason === 'OUT_OF_STOCK') throw new OutOfStockError(abort.detail.split(','));
          // The cart changed since it was read, or another first attempt with this key won: decide again.
          if ((abort?.reason === 'CART_CHANGED' || isUniqueViolation(error)) && tries < MAX_TRIES) continue;
          if (abort?.reason === 'CART_CHANGED') throw new ConflictError('The cart kept changing during checkout: try again');
          throw error;
        }
      }
    },
  };
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;

/** Reads and writes of one checkout, when the cart keeps changing in between. */
const MAX_TRIES = 5;

/** Why {@link writeOrder}'s statement aborted itself (`atelier_abort`, SQLSTATE AT001), or null for any other error. */
function checkoutAbortOf(error: unknown): { reason: 'OUT_OF_STOCK' | 'CART_CHANGED'; detail: string } | null {
  const { code, detail } = (error ?? {}) as { code?: unknown; detail?: unknown };
  if (code !== ABORT_SQLSTATE || typeof detail !== 'string') return null;
  const [reason, ...rest] = detail.split(':');
  return reason === 'OUT_OF_STOCK' || reason === 'CART_CHANGED' ? { reason, detail: rest.join(':') } : null;
}

/** SQLSTATE of `atelier_abort` (migration checkout_abort). */
const ABORT_SQLSTATE = 'AT001';

function isUniqueViolation(error: unknown): boolean {
  return error instanceof UniqueConstraintViolationException || (error as { code?: unknown } | null)?.code === '23505';
}

/** What checkout wrote, as the answer's resolvers read it. */
interface CreatedOrder {
  order: Order;
  lines: OrderLine[];
  payment: Payment;
}

/** What checkout's read tells it: one statement, one snapshot, no lock. */
interface CheckoutRead {
  /** The cart row's version (the `xmin` of its tuple, the transaction that last wrote it); null when there is none. */
  cartVersion: string | null;
  /** The cart's lines with their products' prices now, in product id order. */
  lines: PricedLine[];
  /** The order already made with this idempotency key, or null. */
  existingOrderId: string | null;
  /** Orders of the buyer awaiting payment. */
  unpaidOrders: number;
  /** Units of each of the cart's products in those orders (products with none are absent). */
  heldUnits: Record<string, number>;
}

interface CheckoutReadRow {
  cart_version: string | null;
  lines: PricedLine[];
  existing_order_id: string | null;
  unpaid_orders: number;
  held_units: Record<string, number>;
}

/**
 * Reads, in one statement (one snapshot), the version of the buyer's cart row, the priced cart, the order of this
 * idempotency key and the buyer's unpaid orders. Nothing is locked: {@link writeOrder} writes only if the cart row is
 * still this version, which every cart change and every checkout would have changed.
 */
async function readCheckout(em: EntityManager, who: { buyerId: string; cartId: string; key: string }): Promise<CheckoutRead> {
  const cart = cartCheckoutReadSql(who.cartId);
  const [row] = (await runSql<CheckoutReadRow>(
    em,
    `select ${cart.version.text} as cart_version,
            ${cart.pricedLines.text} as lines,
            (select id from customer_order where buyer_id = ? and idempotency_key = ?) as existing_order_id,
            (select count(*)::int from customer_order where buyer_id = ? and status = any(?::order_status[])) as unpaid_orders,
            coalesce((select json_object_agg(product_id, units) from (
                        select l.product_id, sum(l.quantity)::int as units from order_line l join customer_order o on o.id = l.order_id
                         where o.buyer_id = ? and o.status = any(?::order_status[])
                           and l.product_id in ${cart.productIds.text}
                         group by l.product_id) held), '{}') as held_units`,
    [
      ...cart.version.params, ...cart.pricedLines.params,
      who.buyerId, who.key, who.buyerId, AWAITING_PAYMENT, who.buyerId, AWAITING_PAYMENT,
      ...cart.productIds.params,
    ],
  )) as [CheckoutReadRow];
  return { cartVersion: row.cart_version, lines: row.lines, existingOrderId: row.existing_order_id, unpaidOrders: row.unpaid_orders, heldUnits: row.held_units };
}

async function replay(em: EntityManager, orderId: string, cart: CheckoutLine[], address: Address): Promise<Order> {
  const order = await em.findOneOrFail(Order, orderId);
  const ordered = cart.length ? cart : (await em.find(OrderLine, { order: order.id })).map((line) => ({ productId: line.product.id, quantity: line.quantity }));
  if (!checkoutFingerprintMatches(order.requestFingerprint, ordered, address)) {
    throw new ConflictError('This idempotency key was already used for a checkout with another cart or address');
  }
  return order;
}

interface NewOrder {
  buyerId: string;
  cartId: string;
  key: string;
  address: Address;
  read: CheckoutRead;
  /** What the buyer was shown; null: not checked. */
  expectedTotal: { amount: number; currency: string } | null;
}

async function createOrder(ctx: ServiceScope, deps: CheckoutDeps, request: NewOrder): Promise<CreatedOrder> {
  const { lines } = request.read;
  if (!lines.length) throw new BadUserInputError('cart', 'The cart is empty');
  // A product archived after it was put in the cart stays shown there, but is no longer sold.
  const withdrawn = lines.filter((line) => line.archived).map((line) => line.productId);
  if (withdrawn.length) throw new BadUserInputError('cart', `No longer sold (archived): ${withdrawn.join(', ')}: remove it from the cart`);
  const currencies = [...new Set(lines.map((line) => line.currency))];
  if (currencies.length > 1) {
    throw new BadUserInputError('cart', `One order is in one currency; this cart mixes ${currencies.sort().join(', ')}: check out each currency apart`);
  }
  const total = lines.reduce((sum, line) => sum + line.quantity * line.priceAmount, 0);
  if (total > MAX_TOTAL) throw new BadUserInputError('cart', 'The order total is too large: split the cart');
  const expected = request.expectedTotal;
  if (expected && (expected.amount !== total || expected.currency !== currencies[0])) {
    throw new AppError(ErrorCode.CONFLICT, 'The total changed since it was shown: review the cart', {
      reason: 'PRICE_CHANGED',
      total: { amount: total, currency: currencies[0] },
    });
  }
  checkUnpaidLimits(deps.config.limits.orders, request.read);

  const now = ctx.clock.now();
  const currency = currencies[0]!;
  const order = new Order();
  order.buyer = ref(User, request.buyerId);
  order.status = OrderStatus.PENDING_PAYMENT;
  order.currency = currency;
  order.totalAmount = total;
  order.idempotencyKey = request.key;
  order.requestFingerprint = checkoutFingerprint(lines, request.address);
  order.reservedUntil = new Date(now.getTime() + deps.config.orders.reservationMs);
  order.createdAt = now;
  order.updatedAt = now;
  // Sealed with the order's id as associated data: set once the id is (the constructor made it).
  order.shippingAddress = request.address;
  const orderLines = lines.map((line) =>
    Object.assign(new OrderLine(), {
      order: ref(order),
      product: ref(Product, line.productId),
      shop: ref(Shop, line.shopId),
      quantity: line.quantity,
      unitPriceAmount: line.priceAmount,
      currency,
    }),
  );
  // The provider's intent is created after the commit (paymentService.ensureIntent): no network call in here.
  const { payment, insert } = newOrderPayment({ orderId: order.id, provider: deps.payments.current.provider, amount: total, currency, now });
  const cart = cartCheckoutWriteSql(request.cartId, request.read.cartVersion, now);
  order.number = await writeOrder(ctx.em, order, orderLines, insert, cart);
  return { order, lines: orderLines, payment };
}

/**
 * Writes a new order in one statement, which is its own transaction: the cart row locked and checked against the
 * version read, the order (its number from `order_number_seq`), its lines, its payment (the payments module's
 * `newOrderPayment`), the cart emptied and its row written (the cart module's `cartCheckoutWriteSql`: what tells a
 * concurrent checkout that the cart changed), the expiry job, the order's `pg_notify` to the
 * shops' live feeds (ShopOrderUpdates), and the stock of every line through the ledger (`takeStockSql`). The statement
 * aborts itself (`atelier_abort`), so that nothing at all is written, when the cart row is not the version read
 * (CART_CHANGED) or a line lacks stock (OUT_OF_STOCK, with every product short, in id order). The cart is locked before
 * any product, as a checkout always did. Data-modifying `WITH` queries always run to completion, and foreign keys are
 * checked at the end of the statement, so the lines may refer to the order inserted beside them.
 */
async function writeOrder(em: EntityManager, order: Order, lines: OrderLine[], payment: SqlFragment, cart: CartCheckoutWriteSql): Promise<string> {
  const stock = takeStockSql(
    lines.map((line) => ({ productId: line.product.id, delta: -line.quantity })),
    { reason: StockReason.SALE, orderId: order.id },
    order.createdAt,
  );
  const expiry = expireOrderJob.scheduleSql({ orderId: order.id }, { runAt: order.reservedUntil });
  const event = newOrderEvent(order.id, lines.map((line) => line.shop.id));
  const [row] = (await runSql<{ number: string }>(
    em,
    `with ${cart.lock.text}, new_order as (
       insert into customer_order (id, number, buyer_id, status, currency, total_amount, shipping_address, idempotency_key, request_fingerprint,
                                   reserved_until, created_at, updated_at)
       select ?::uuid, 'AT-' || lpad(n::text, greatest(6, length(n::text)), '0'), ?::uuid, ?::order_status, ?::char(3), ?::int, ?::text, ?::text, ?::text,
              ?::timestamptz, ?::timestamptz, ?::timestamptz
         from (select nextval('order_number_seq') as n) sequence
       returning number
     ), new_lines as (
       insert into order_line (id, order_id, product_id, shop_id, quantity, unit_price_amount, currency)
       select id, ?::uuid, product_id, shop_id, quantity, unit_price_amount, ?::char(3)
         from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::int[], ?::int[]) as line(id, product_id, shop_id, quantity, unit_price_amount)
     ), new_payment as (
       ${payment.text}
     ), ${cart.empty.text}, expiry as (
       select ${expiry.text} as job
     ), order_notified as (
       select pg_notify(?, ?) as notified
     ), ${stock.ctes.text}
     select case
              when ${cart.changed.text} then atelier_abort('CART_CHANGED', null)
              when ${stock.refused} is not null then atelier_abort('OUT_OF_STOCK', ${stock.refused})
              else true
            end as written,
            (select number from new_order) as number,
            (select count(*) from expiry) as jobs,
            (select count(*) from order_notified) as notified_order,
            (select count(*) from (select ${stock.selectList.text} from stock_changed) notified) as notified_stock`,
    [
      ...cart.lock.params,
      order.id, order.buyer.id, order.status, order.currency, order.totalAmount, order.sealedShippingAddress, order.idempotencyKey, order.requestFingerprint,
      order.reservedUntil, order.createdAt, order.updatedAt,
      order.id, order.currency,
      lines.map((line) => line.id), lines.map((line) => line.product.id), lines.map((line) => line.shop.id), lines.map((line) => line.quantity), lines.map((line) => line.unitPriceAmount),
      ...payment.params,
      ...cart.empty.params,
      ...expiry.params,
      ORDER_NOTIFY_CHANNEL, JSON.stringify(event),
      ...stock.ctes.params,
      ...cart.changed.params,
      ...stock.selectList.params,
    ],
  )) as [{ number: string }];
  return row.number;
}

/**
 * The request's loaders, primed with the order just written, its lines and its payment (the intent's secret included
 * when this call stored it): the answer's fields read them without a statement. Its products are read as usual.
 */
function primeLoaders(ctx: ServiceScope, created: CreatedOrder, stored: StoredIntent | null): void {
  const { order, lines, payment } = created;
  ctx.loaders.orderById.prime(order.id, order);
  ctx.loaders.linesOfOrder.prime(order.id, lines);
  if (stored) {
    payment.providerReference = stored.reference;
    payment.clientSecret = stored.clientSecret;
    payment.updatedAt = stored.at;
    ctx.loaders.paymentOfOrder.prime(order.id, payment);
  }
}

/**
 * A buyer may hold at most `MAX_UNPAID_ORDERS_PER_BUYER` orders awaiting payment, and at most
 * `MAX_UNPAID_UNITS_PER_PRODUCT` units of one product across them: nine unpaid checkouts once held a product's whole
 * stock for fifteen minutes, renewable. Race-free: the counts come from {@link readCheckout}, and {@link writeOrder}
 * commits only while the buyer's cart row is still the version read; every checkout writes that row, so a checkout
 * that committed in between sends this one back to read the counts again.
 */
function checkUnpaidLimits(limits: Config['limits']['orders'], read: CheckoutRead): void {
  if (read.unpaidOrders >= limits.maxUnpaidOrders) {
    throw new AppError(ErrorCode.CONFLICT, `At most ${limits.maxUnpaidOrders} orders may await payment at once: pay or cancel one first`, {
      reason: 'TOO_MANY_UNPAID_ORDERS',
    });
  }
  const over = read.lines.filter((line) => (read.heldUnits[line.productId] ?? 0) + line.quantity > limits.maxUnpaidUnitsPerProduct).map((line) => line.productId);
  if (over.length) {
    throw new AppError(ErrorCode.CONFLICT, `At most ${limits.maxUnpaidUnitsPerProduct} units of one product may await payment at once`, {
      reason: 'UNPAID_UNITS_LIMIT',
      productIds: over,
    });
  }
}
