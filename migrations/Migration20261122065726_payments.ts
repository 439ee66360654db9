import { Migration } from '@mikro-orm/migrations';

export class Migration20261122065726_payments extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "refund_reason" as enum ('ORDER_CANCELLED', 'LATE_PAYMENT', 'PROVIDER');`);
    this.addSql(`create table "payment_event" ("id" text not null, "provider" "payment_provider" not null, "type" text not null, "payload" jsonb not null, "received_at" timestamptz not null, "processed_at" timestamptz null, "outcome" text null, constraint "payment_event_pkey" primary key ("id"));`);
    this.addSql(`create index "payment_event_received_at_index" on "payment_event" ("received_at");`);

    this.addSql(`alter table "payment" add column "provider_event_at" timestamptz null, add column "refund_reason" "refund_reason" null;`);
    this.addSql(`alter table "payment" add constraint "payment_provider_reference_unique" unique ("provider_reference");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payment_event" cascade;`);

    this.addSql(`alter table "payment" drop constraint "payment_provider_reference_unique";`);
    this.addSql(`alter table "payment" drop column "provider_event_at", drop column "refund_reason";`);

    this.addSql(`drop type "refund_reason";`);
  }

}
