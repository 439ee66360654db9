import { ConnectionType } from '../../shared/pagination';
import { AuditEvent } from './audit-event.entity';
import { User } from './user.entity';

/** A page of users, for the back office. */
export const UserConnection = ConnectionType(User);
/** A page of the audit trail. */
export const AuditEventConnection = ConnectionType(AuditEvent);
