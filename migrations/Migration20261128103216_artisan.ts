import { Migration } from '@mikro-orm/migrations';

export class Migration20261128103216_artisan extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "shipment" ("id" uuid not null, "order_id" uuid not null, "shop_id" uuid not null, "carrier" text not null, "tracking_number" text not null, "shipped_at" timestamptz not null, "shipped_by_id" uuid not null, constraint "shipment_pkey" primary key ("id"));`);
    this.addSql(`alter table "shipment" add constraint "shipment_order_id_shop_id_unique" unique ("order_id", "shop_id");`);

    this.addSql(`alter table "shipment" add constraint "shipment_order_id_foreign" foreign key ("order_id") references "customer_order" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "shipment" add constraint "shipment_shop_id_foreign" foreign key ("shop_id") references "shop" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "shipment" add constraint "shipment_shipped_by_id_foreign" foreign key ("shipped_by_id") references "app_user" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "email_message" drop constraint if exists "email_message_kind_check";`);

    this.addSql(`alter table "product" add column "archived" boolean not null default false;`);

    // Existing lines take their product's shop (a product never changes shop), then the column becomes required.
    this.addSql(`alter table "order_line" add column "shop_id" uuid null;`);
    this.addSql(`update "order_line" l set "shop_id" = p."shop_id" from "product" p where p."id" = l."product_id";`);
    this.addSql(`alter table "order_line" alter column "shop_id" set not null;`);
    this.addSql(`alter table "order_line" add constraint "order_line_shop_id_foreign" foreign key ("shop_id") references "shop" ("id") on update cascade on delete restrict;`);
    this.addSql(`create index "order_line_shop_id_order_id_index" on "order_line" ("shop_id", "order_id");`);

    this.addSql(`alter table "email_message" drop constraint "email_message_order_id_kind_recipient_id_unique";`);

    this.addSql(`alter table "email_message" add column "part_key" text not null default '';`);
    this.addSql(`alter table "email_message" add constraint "email_message_kind_check" check("kind" in ('ORDER_CONFIRMATION', 'NEW_ORDER', 'ORDER_SHIPPED', 'ORDER_CANCELLED', 'REFUND_ISSUED'));`);
    this.addSql(`alter table "email_message" add constraint "email_message_order_id_kind_recipient_id_part_key_unique" unique ("order_id", "kind", "recipient_id", "part_key");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "shipment" cascade;`);

    this.addSql(`alter table "email_message" drop constraint if exists "email_message_kind_check";`);

    this.addSql(`alter table "order_line" drop constraint "order_line_shop_id_foreign";`);

    this.addSql(`alter table "email_message" drop constraint "email_message_order_id_kind_recipient_id_part_key_unique";`);
    this.addSql(`alter table "email_message" drop column "part_key";`);

    this.addSql(`alter table "email_message" add constraint "email_message_kind_check" check("kind" in ('ORDER_CONFIRMATION', 'NEW_ORDER'));`);
    this.addSql(`alter table "email_message" add constraint "email_message_order_id_kind_recipient_id_unique" unique ("order_id", "kind", "recipient_id");`);

    this.addSql(`drop index "order_line_shop_id_order_id_index";`);
    this.addSql(`alter table "order_line" drop column "shop_id";`);

    this.addSql(`alter table "product" drop column "archived";`);
  }

}
