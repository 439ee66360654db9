import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { FulfilmentPayload, ShipmentInput } from './fulfilment.inputs';
import type { FulfilmentService } from './fulfilment.service';

@Resolver()
export class FulfilmentResolver {
  constructor(private readonly services: { fulfilmentService: FulfilmentService }) {}

  @Mutation(() => FulfilmentPayload, {
    description:
      "The caller's shop ships its lines of a PAID order (ARTISAN). Again with the same carrier and tracking number it answers the " +
      'same shipment; with others, CONFLICT. The order becomes FULFILLED when every shop in it has shipped; the buyer is emailed. ' +
      "Not PAID (yet, or any more): CONFLICT. An order without the caller's products: NOT_FOUND.",
  })
  fulfilOrder(
    @Arg('orderId', () => ID,
    { description: 'A PAID order holding products of your shop.' }) orderId: string, @Arg('input',
    () => ShipmentInput, { description: 'The carrier and tracking number of the parcel.' }) input: ShipmentInput, @Ctx() ctx: RequestContext,
  ): Promise<FulfilmentPayload> {
    return this.services.fulfilmentService.fulfil(ctx, orderId, input);
  }
}
