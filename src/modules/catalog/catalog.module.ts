import { CatalogResolver } from './catalog.resolver';
import { ProductAdminResolver } from './product-admin.resolver';
import { ProductFieldsResolver } from './product-fields.resolver';
import { ShopAdminResolver } from './shop-admin.resolver';
import { ShopFieldsResolver } from './shop-fields.resolver';
import { createCatalogLoaders } from './catalog.loaders';
import { catalogRules } from './catalog.rules';
import { createCatalogService, type CatalogServiceDeps } from './catalog.service';
import { createProductAdminService, type ProductAdminServiceDeps } from './product-admin.service';
import { createShopService, type ShopServiceDeps } from './shop.service';
import { Category } from './category.entity';
import { demoCatalogService } from './demo-catalog';
import { Product } from './product.entity';
import { Shop } from './shop.entity';
import { defineModule } from '../../shared/module-manifest';

/** Shops, categories and products: the storefront's reads and the artisans' writes. */
export const catalogModule = defineModule({
  name: 'catalog',
  entities: [Shop, Category, Product],
  resolvers: [CatalogResolver, ProductAdminResolver, ProductFieldsResolver, ShopAdminResolver, ShopFieldsResolver],
  rules: catalogRules,
  loaders: createCatalogLoaders,
  services: (deps: CatalogServiceDeps & ShopServiceDeps & ProductAdminServiceDeps) => ({
    catalogService: createCatalogService(deps),
    shopService: createShopService(deps),
    productAdminService: createProductAdminService(deps),
    demoCatalogService,
  }),
});
