import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { CreateProductInput, UpdateProductInput } from './product.inputs';
import type { ProductAdminService } from './product-admin.service';
import { Product } from './product.entity';

@Resolver()
export class ProductAdminResolver {
  constructor(private readonly services: { productAdminService: ProductAdminService }) {}

  @Mutation(() => Product, { description: "Adds a product to the caller's shop, priced in the shop's currency. ARTISAN only." })
  createProduct(
    @Arg('input', () => CreateProductInput,
    { description: 'The new product.' }) input: CreateProductInput, @Ctx() ctx: RequestContext,
  ): Promise<Product> {
    return this.services.productAdminService.create(ctx, input);
  }

  @Mutation(() => Product, { description: "Changes a product of the caller's shop; an ADMIN may change any product." })
  updateProduct(
    @Arg('id', () => ID, { description: 'The product to change: one of your shop (any shop for ADMIN).' }) id: string,
    @Arg('input', () => UpdateProductInput, { description: 'The fields to change; those left out keep their value.' }) input: UpdateProductInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Product> {
    return this.services.productAdminService.update(ctx, id, input);
  }
}
