import { ConnectionType } from '../../shared/pagination';
import { EmailMessage } from './email-message.entity';

/** A page of the emails about orders, for operators. */
export const EmailMessageConnection = ConnectionType(EmailMessage);
