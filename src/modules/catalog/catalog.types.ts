import { ConnectionType } from '../../shared/pagination';
import { Product } from './product.entity';
import { Shop } from './shop.entity';

export const ProductConnection = ConnectionType(Product);
export const ShopConnection = ConnectionType(Shop);
