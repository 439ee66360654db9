import { AppError, ErrorCode } from '../../shared/errors';

/** Some products lack the stock asked for; `extensions.productIds` names each of them. */
export class OutOfStockError extends AppError {
  constructor(productIds: string[]) {
    const ids = [...new Set(productIds)].sort();
    super(ErrorCode.OUT_OF_STOCK, ids.length === 1 ? 'A product is out of stock' : `${ids.length} products are out of stock`, {
      productIds: ids,
    });
  }
}
