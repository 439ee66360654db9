import { Migration } from '@mikro-orm/migrations';

export class Migration20261128121655_email_kinds extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "email_message" drop constraint if exists "email_message_kind_check";`);

    this.addSql(`alter table "email_message" add constraint "email_message_kind_check" check("kind" in ('ORDER_CONFIRMATION', 'NEW_ORDER', 'PASSWORD_RESET', 'ORDER_SHIPPED', 'ORDER_CANCELLED', 'REFUND_ISSUED'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "email_message" drop constraint if exists "email_message_kind_check";`);

    this.addSql(`alter table "email_message" add constraint "email_message_kind_check" check("kind" in ('ORDER_CONFIRMATION', 'NEW_ORDER', 'PASSWORD_RESET'));`);
  }

}
