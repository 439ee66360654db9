import { AuditEvent } from '../../modules/accounts/audit-event.entity';
import { RefreshToken } from '../../modules/accounts/refresh-token.entity';
import { Session } from '../../modules/accounts/session.entity';
import { User } from '../../modules/accounts/user.entity';
import { Category } from '../../modules/catalog/category.entity';
import { Product } from '../../modules/catalog/product.entity';
import { Shop } from '../../modules/catalog/shop.entity';

/** Every entity, listed once: discovery is explicit, never by folder glob. */
export const entities = [User, Session, Shop, Category, Product, RefreshToken, AuditEvent];
