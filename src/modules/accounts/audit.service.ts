import type { FilterQuery } from '@mikro-orm/postgresql';
import type { ServiceScope } from '../service-scope';
import { keysetPage } from '../../shared/keyset-page';
import type { Connection, PageRequest } from '../../shared/pagination';
import { AuditEvent } from './audit-event.entity';
import type { AuditEventFilter } from './audit.inputs';

/** Reading the audit trail, newest first. */
export const auditService = {
  list(ctx: ServiceScope, page: PageRequest, filter: AuditEventFilter | null | undefined): Promise<Connection<AuditEvent>> {
    const where: FilterQuery<AuditEvent> = {};
    if (filter?.type) where.type = filter.type;
    if (filter?.userId) where.userId = filter.userId;
    return keysetPage(ctx.em, AuditEvent, where, page);
  },
};

export type AuditService = typeof auditService;
