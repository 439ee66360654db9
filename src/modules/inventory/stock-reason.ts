import { registerEnumType } from 'type-graphql';

/** Why a product's available stock changed. Every change is one movement of the stock ledger with one reason. */
export enum StockReason {
  SALE = 'SALE',
  RESTOCK = 'RESTOCK',
  ADJUSTMENT = 'ADJUSTMENT',
  RESERVATION_RELEASED = 'RESERVATION_RELEASED',
  CANCELLATION = 'CANCELLATION',
}
registerEnumType(StockReason, {
  name: 'StockReason',
  description: 'Why the available stock of a product changed.',
  valuesConfig: {
    SALE: { description: 'Taken by a checkout (negative).' },
    RESTOCK: { description: 'Added by the artisan or an admin through AdjustStock (positive).' },
    ADJUSTMENT: { description: 'Written off by the artisan or an admin through AdjustStock (negative): breakage, loss, a count correction.' },
    RESERVATION_RELEASED: { description: "Returned when an order's reservation ran out before payment (positive)." },
    CANCELLATION: { description: 'Returned when an order awaiting payment was cancelled (positive).' },
  },
});
