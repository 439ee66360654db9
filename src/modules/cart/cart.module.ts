import { CartFieldsResolver, CartLineFieldsResolver } from './cart-fields.resolver';
import { CartResolver } from './cart.resolver';
import { CartLine } from './cart-line.entity';
import { Cart } from './cart.entity';
import { cartRules } from './cart.rules';
import { cartService } from './cart.service';
import { defineModule } from '../../shared/module-manifest';

/** The buyers' carts. */
export const cartModule = defineModule({
  name: 'cart',
  entities: [Cart, CartLine],
  resolvers: [CartFieldsResolver, CartLineFieldsResolver, CartResolver],
  rules: cartRules,
  services: () => ({ cartService }),
});
