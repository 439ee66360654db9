import { Migration } from '@mikro-orm/migrations';

export class Migration20261122071322_notifications extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "email_message" ("id" uuid not null, "order_id" uuid not null, "kind" text check ("kind" in ('ORDER_CONFIRMATION', 'NEW_ORDER')) not null, "recipient_id" uuid not null, "to_address" text not null, "subject" text not null, "body" text not null, "transport" text check ("transport" in ('SMTP', 'OUTBOX')) not null, "message_id" text not null, "created_at" timestamptz not null, "sent_at" timestamptz null, constraint "email_message_pkey" primary key ("id"));`);
    this.addSql(`alter table "email_message" add constraint "email_message_order_id_kind_recipient_id_unique" unique ("order_id", "kind", "recipient_id");`);

    this.addSql(`alter table "email_message" add constraint "email_message_order_id_foreign" foreign key ("order_id") references "customer_order" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "email_message" add constraint "email_message_recipient_id_foreign" foreign key ("recipient_id") references "app_user" ("id") on update cascade on delete restrict;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "email_message" cascade;`);
  }

}
