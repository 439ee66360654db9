import { ConnectionType } from '../../shared/pagination';
import { Order } from './order.entity';

export const OrderConnection = ConnectionType(Order);
