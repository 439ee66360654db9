import { Migration } from '@mikro-orm/migrations';

export class Migration20261122045301_commerce extends Migration {

  override async up(): Promise<void> {
    // Order numbers (AT-001001, …): a sequence, so that concurrent checkouts never share one.
    this.addSql(`create sequence "order_number_seq" start with 1001;`);
    this.addSql(`create type "order_status" as enum ('PENDING_PAYMENT', 'PAID', 'FULFILLED', 'CANCELLED', 'EXPIRED', 'PAYMENT_FAILED');`);
    this.addSql(`create type "stock_reason" as enum ('SALE', 'RESTOCK', 'ADJUSTMENT', 'RESERVATION_RELEASED', 'CANCELLATION');`);
    this.addSql(`create type "payment_provider" as enum ('STRIPE', 'DEVELOPMENT');`);
    this.addSql(`create type "payment_status" as enum ('REQUIRES_PAYMENT', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'REFUNDED', 'CANCELLED');`);
    this.addSql(`create table "customer_order" ("id" uuid not null, "number" text not null, "buyer_id" uuid not null, "status" "order_status" not null default 'PENDING_PAYMENT', "currency" char(3) not null, "total_amount" int not null, "shipping_name" text not null, "shipping_line1" text not null, "shipping_line2" text null, "shipping_city" text not null, "shipping_postal_code" text not null, "shipping_country" char(2) not null, "shipping_phone" text null, "idempotency_key" text not null, "request_fingerprint" text not null, "reserved_until" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "customer_order_pkey" primary key ("id"), constraint customer_order_total_amount_not_negative check (total_amount >= 0));`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_number_unique" unique ("number");`);
    this.addSql(`create index "customer_order_status_reserved_until_index" on "customer_order" ("status", "reserved_until");`);
    this.addSql(`create index "customer_order_buyer_id_id_index" on "customer_order" ("buyer_id", "id");`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_buyer_id_idempotency_key_unique" unique ("buyer_id", "idempotency_key");`);

    this.addSql(`create table "stock_movement" ("id" uuid not null, "product_id" uuid not null, "delta" int not null, "reason" "stock_reason" not null, "order_id" uuid null, "actor_id" uuid null, "note" text null, "available_after" int not null, "version" int not null, "created_at" timestamptz not null, constraint "stock_movement_pkey" primary key ("id"), constraint stock_movement_version_positive check (version > 0), constraint stock_movement_available_after_not_negative check (available_after >= 0), constraint stock_movement_delta_not_zero check (delta <> 0));`);
    this.addSql(`create index "stock_movement_order_id_index" on "stock_movement" ("order_id");`);
    this.addSql(`alter table "stock_movement" add constraint "stock_movement_product_id_version_unique" unique ("product_id", "version");`);

    this.addSql(`create table "payment" ("id" uuid not null, "order_id" uuid not null, "provider" "payment_provider" not null, "status" "payment_status" not null default 'REQUIRES_PAYMENT', "amount" int not null, "currency" char(3) not null, "client_secret" text null, "provider_reference" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "payment_pkey" primary key ("id"));`);
    this.addSql(`alter table "payment" add constraint "payment_order_id_unique" unique ("order_id");`);

    this.addSql(`create table "order_line" ("id" uuid not null, "order_id" uuid not null, "product_id" uuid not null, "quantity" int not null, "unit_price_amount" int not null, "currency" char(3) not null, constraint "order_line_pkey" primary key ("id"), constraint order_line_unit_price_not_negative check (unit_price_amount >= 0), constraint order_line_quantity_positive check (quantity >= 1), constraint order_line_quantity_at_most_99 check (quantity <= 99));`);
    this.addSql(`alter table "order_line" add constraint "order_line_order_id_product_id_unique" unique ("order_id", "product_id");`);

    this.addSql(`create table "cart" ("id" uuid not null, "buyer_id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "cart_pkey" primary key ("id"));`);
    this.addSql(`alter table "cart" add constraint "cart_buyer_id_unique" unique ("buyer_id");`);

    this.addSql(`create table "cart_line" ("id" uuid not null, "cart_id" uuid not null, "product_id" uuid not null, "quantity" int not null, "created_at" timestamptz not null, constraint "cart_line_pkey" primary key ("id"), constraint cart_line_quantity_positive check (quantity >= 1), constraint cart_line_quantity_at_most_99 check (quantity <= 99));`);
    this.addSql(`alter table "cart_line" add constraint "cart_line_cart_id_product_id_unique" unique ("cart_id", "product_id");`);

    this.addSql(`alter table "customer_order" add constraint "customer_order_buyer_id_foreign" foreign key ("buyer_id") references "app_user" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "stock_movement" add constraint "stock_movement_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "stock_movement" add constraint "stock_movement_order_id_foreign" foreign key ("order_id") references "customer_order" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "stock_movement" add constraint "stock_movement_actor_id_foreign" foreign key ("actor_id") references "app_user" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "payment" add constraint "payment_order_id_foreign" foreign key ("order_id") references "customer_order" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "order_line" add constraint "order_line_order_id_foreign" foreign key ("order_id") references "customer_order" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "order_line" add constraint "order_line_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "cart" add constraint "cart_buyer_id_foreign" foreign key ("buyer_id") references "app_user" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "cart_line" add constraint "cart_line_cart_id_foreign" foreign key ("cart_id") references "cart" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "cart_line" add constraint "cart_line_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade on delete restrict;`);

    // Existing products have no movement yet: their initial stock is what they have now.
    this.addSql(`alter table "product" add column "initial_stock" int not null default 0;`);
    this.addSql(`update "product" set "initial_stock" = "available";`);
    this.addSql(`alter table "product" alter column "initial_stock" drop default;`);
    this.addSql(`alter table "product" add constraint product_initial_stock_not_negative check(initial_stock >= 0);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "stock_movement" drop constraint "stock_movement_order_id_foreign";`);

    this.addSql(`alter table "payment" drop constraint "payment_order_id_foreign";`);

    this.addSql(`alter table "order_line" drop constraint "order_line_order_id_foreign";`);

    this.addSql(`alter table "cart_line" drop constraint "cart_line_cart_id_foreign";`);

    this.addSql(`drop table if exists "customer_order" cascade;`);

    this.addSql(`drop table if exists "stock_movement" cascade;`);

    this.addSql(`drop table if exists "payment" cascade;`);

    this.addSql(`drop table if exists "order_line" cascade;`);

    this.addSql(`drop table if exists "cart" cascade;`);

    this.addSql(`drop table if exists "cart_line" cascade;`);

    this.addSql(`alter table "product" drop constraint product_initial_stock_not_negative;`);
    this.addSql(`alter table "product" drop column "initial_stock";`);

    this.addSql(`drop sequence if exists "order_number_seq";`);
    this.addSql(`drop type "order_status";`);
    this.addSql(`drop type "stock_reason";`);
    this.addSql(`drop type "payment_provider";`);
    this.addSql(`drop type "payment_status";`);
  }

}
