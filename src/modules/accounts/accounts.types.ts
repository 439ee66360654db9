import { ConnectionType } from '../../shared/pagination';
import { AuditEvent } from './audit-event.entity';
import { User } from './user.entity';

export const UserConnection = ConnectionType(User);
export const AuditEventConnection = ConnectionType(AuditEvent);
