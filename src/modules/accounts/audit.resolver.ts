import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { ConnectionArgs, pageRequest, type Connection } from '../../shared/pagination';
import { AuditEventConnection } from './accounts.types';
import type { AuditEvent } from './audit-event.entity';
import { AuditEventFilter } from './audit.inputs';
import type { AuditService } from './audit.service';

@Resolver()
export class AuditResolver {
  constructor(private readonly services: { auditService: AuditService }) {}

  @Query(() => AuditEventConnection, { description: 'The audit trail, newest first. ADMIN.' })
  auditEvents(
    @Args() page: ConnectionArgs,
    @Arg('filter', () => AuditEventFilter, { nullable: true, description: 'Narrows the trail; every event when left out.' }) filter: AuditEventFilter | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<AuditEvent>> {
    return this.services.auditService.list(ctx, pageRequest(page), filter);
  }
}
