import { AppError, ErrorCode } from '../../shared/errors';

/** The sealed shipping address did not open (unknown key, or altered): already logged with the order and key id. */
export class ShippingAddressUnreadableError extends AppError {
  constructor() {
    super(ErrorCode.INTERNAL_SERVER_ERROR, 'The shipping address of this order cannot be read');
  }
}

/** The buyer deleted the account and the address's retention period ended: it was destroyed. */
export class ShippingAddressErasedError extends AppError {
  constructor() {
    super(ErrorCode.NOT_FOUND, "The shipping address was erased: the buyer's account was deleted and its retention period ended");
  }
}
