import { Migration } from '@mikro-orm/migrations';

export class Migration20261122042123_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "role" as enum ('BUYER', 'ARTISAN', 'SUPPORT', 'ADMIN');`);
    this.addSql(`create type "user_status" as enum ('ACTIVE', 'BANNED');`);
    this.addSql(`create table "category" ("id" uuid not null, "name" text not null, "slug" text not null, constraint "category_pkey" primary key ("id"));`);
    this.addSql(`alter table "category" add constraint "category_slug_unique" unique ("slug");`);

    this.addSql(`create table "app_user" ("id" uuid not null, "email" text not null, "display_name" text not null, "password_hash" text not null, "role" "role" not null default 'BUYER', "status" "user_status" not null default 'ACTIVE', "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "app_user_pkey" primary key ("id"));`);
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);
    this.addSql(`create index "app_user_role_index" on "app_user" ("role");`);

    this.addSql(`create table "shop" ("id" uuid not null, "name" text not null, "slug" text not null, "description" text null, "country" char(2) not null, "currency" char(3) not null, "owner_id" uuid not null, "created_at" timestamptz not null, constraint "shop_pkey" primary key ("id"));`);
    this.addSql(`alter table "shop" add constraint "shop_slug_unique" unique ("slug");`);
    this.addSql(`alter table "shop" add constraint "shop_owner_id_unique" unique ("owner_id");`);

    this.addSql(`create table "product" ("id" uuid not null, "shop_id" uuid not null, "category_id" uuid not null, "title" text not null, "slug" text not null, "description" text null, "price_amount" int not null, "currency" char(3) not null, "available" int not null default 0, "stock_version" int not null default 0, "search_vector" tsvector generated always as (to_tsvector('simple'::regconfig, title || ' ' || coalesce(description, ''))) stored null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "product_pkey" primary key ("id"), constraint product_price_amount_not_negative check (price_amount >= 0), constraint product_available_not_negative check (available >= 0));`);
    this.addSql(`alter table "product" add constraint "product_slug_unique" unique ("slug");`);
    this.addSql(`create index "product_search_vector_index" on "public"."product" using gin("search_vector");`);
    this.addSql(`create index "product_category_id_id_index" on "product" ("category_id", "id");`);
    this.addSql(`create index "product_shop_id_id_index" on "product" ("shop_id", "id");`);

    this.addSql(`alter table "shop" add constraint "shop_owner_id_foreign" foreign key ("owner_id") references "app_user" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "product" add constraint "product_shop_id_foreign" foreign key ("shop_id") references "shop" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "product" add constraint "product_category_id_foreign" foreign key ("category_id") references "category" ("id") on update cascade on delete restrict;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "product" drop constraint "product_category_id_foreign";`);

    this.addSql(`alter table "shop" drop constraint "shop_owner_id_foreign";`);

    this.addSql(`alter table "product" drop constraint "product_shop_id_foreign";`);

    this.addSql(`drop table if exists "category" cascade;`);

    this.addSql(`drop table if exists "app_user" cascade;`);

    this.addSql(`drop table if exists "shop" cascade;`);

    this.addSql(`drop table if exists "product" cascade;`);

    this.addSql(`drop type "role";`);
    this.addSql(`drop type "user_status";`);
  }

}
