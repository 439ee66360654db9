import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { AuditEventType } from './audit-event.entity';

@InputType({ description: 'Narrows the audit trail. Every filter given must match.' })
export class AuditEventFilter {
  @Field(() => AuditEventType, { nullable: true, description: 'Only events of this type.' })
  @IsOptional()
  @IsIn(Object.values(AuditEventType))
  type?: AuditEventType | null;

  @Field(() => ID, { nullable: true, description: 'Only events about this user.' })
  @IsOptional()
  @IsUUID('all', { message: 'userId must be a user id' })
  userId?: string | null;
}
