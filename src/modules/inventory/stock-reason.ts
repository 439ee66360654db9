import { registerEnumType } from 'type-graphql';

/** Why a product's available stock changed. Every change is one movement of the stock ledger with one reason. */
export enum StockReason {
  /** Taken by a checkout (negative). */
  SALE = 'SALE',
  /** Added by the artisan or an admin through AdjustStock (positive). */
  RESTOCK = 'RESTOCK',
  /** Written off by the artisan or an admin through AdjustStock (negative): breakage, loss, a count correction. */
  ADJUSTMENT = 'ADJUSTMENT',
  /** Returned when an order's reservation ran out before payment (positive). */
  RESERVATION_RELEASED = 'RESERVATION_RELEASED',
  /** Returned when an order awaiting payment was cancelled (positive). */
  CANCELLATION = 'CANCELLATION',
}
registerEnumType(StockReason, { name: 'StockReason', description: 'Why the available stock of a product changed.' });
