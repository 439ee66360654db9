import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../infra/logger';
import type { Clock } from '../../shared/clock';
import { AuditEvent, AuditEventType } from './audit-event.entity';

/** Where an event comes from: the request's id, address, logger and clock (a ServiceScope has them all: a request's, or a job's or script's). */
export interface AuditSource {
  requestId: string;
  clientAddress: string | null;
  logger: Logger;
  clock: Clock;
}

export interface AuditInput {
  type: AuditEventType;
  userId?: string | null;
  actorId?: string | null;
  details?: Record<string, unknown>;
}

/** Events that deserve attention in the logs, not just a record. */
const WARNINGS = new Set<string>([AuditEventType.REFRESH_TOKEN_REUSED, AuditEventType.LOGIN_FAILED, 'LOGIN_RATE_LIMITED']);

/**
 * Adds an event to `em`'s unit of work: it commits, or not, with the caller's transaction. Log it with
 * {@link logAudit} once that transaction has committed, so that the log never tells of what was rolled back.
 */
export function recordAudit(em: EntityManager, source: AuditSource, input: AuditInput): AuditEvent {
  const event = em.create(AuditEvent, {
    type: input.type,
    userId: input.userId ?? null,
    actorId: input.actorId ?? null,
    clientAddress: source.clientAddress,
    requestId: source.requestId,
    details: input.details ?? {},
    createdAt: source.clock.now(),
  });
  em.persist(event);
  return event;
}

/** What an audit log line says; `type` may also name events that are logged but not stored (`LOGIN_RATE_LIMITED`). */
export type AuditLine = Pick<AuditEvent, 'userId' | 'actorId' | 'clientAddress' | 'requestId' | 'details'> & {
  type: AuditEventType | 'LOGIN_RATE_LIMITED';
  id?: string;
};

/** The structured log line of an event: `audit` names it, with user id, client address and request id. */
export function logAudit(logger: Logger, event: AuditLine): void {
  // A request's logger already names its request id (and its caller): pino would write such a key twice.
  const bound = logger.bindings();
  const line = {
    audit: event.type,
    auditEventId: event.id,
    ...(bound.userId === event.userId ? {} : { userId: event.userId }),
    actorId: event.actorId,
    clientAddress: event.clientAddress,
    ...(bound.requestId === event.requestId ? {} : { requestId: event.requestId }),
    details: event.details,
  };
  if (WARNINGS.has(event.type)) logger.warn(line, `audit: ${event.type}`);
  else logger.info(line, `audit: ${event.type}`);
}

/** Records an event in a transaction of its own and logs it: for events that no other write carries. */
export async function writeAudit(em: EntityManager, source: AuditSource, input: AuditInput): Promise<AuditEvent> {
  const event = await em.fork().transactional(async (tx) => recordAudit(tx, source, input));
  logAudit(source.logger, event);
  return event;
}
