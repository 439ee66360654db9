import { Migration } from '@mikro-orm/migrations';

export class Migration20261128110428_owner_controls extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "password_reset_token" ("id" uuid not null, "user_id" uuid not null, "token_hash" text not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, constraint "password_reset_token_pkey" primary key ("id"));`);
    this.addSql(`create index "password_reset_token_user_id_index" on "password_reset_token" ("user_id");`);
    this.addSql(`alter table "password_reset_token" add constraint "password_reset_token_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "password_reset_token" add constraint "password_reset_token_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "audit_event" drop constraint if exists "audit_event_type_check";`);

    this.addSql(`alter table "email_message" drop constraint if exists "email_message_kind_check";`);

    this.addSql(`alter table "audit_event" add constraint "audit_event_type_check" check("type" in ('SIGN_UP', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'REFRESH_TOKEN_REUSED', 'USER_BANNED', 'USER_UNBANNED', 'ROLE_CHANGED', 'ADMIN_CREATED', 'PASSWORD_CHANGED', 'PASSWORD_RESET_REQUESTED', 'PASSWORD_RESET', 'ACCOUNT_DELETED'));`);

    this.addSql(`alter table "app_user" add column "deleted_at" timestamptz null;`);

    this.addSql(`alter table "email_message" alter column "order_id" drop default;`);
    this.addSql(`alter table "email_message" alter column "order_id" type uuid using ("order_id"::text::uuid);`);
    this.addSql(`alter table "email_message" alter column "order_id" drop not null;`);
    this.addSql(`alter table "email_message" add constraint "email_message_kind_check" check("kind" in ('ORDER_CONFIRMATION', 'NEW_ORDER', 'PASSWORD_RESET'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "password_reset_token" cascade;`);

    this.addSql(`alter table "audit_event" drop constraint if exists "audit_event_type_check";`);

    this.addSql(`alter table "email_message" drop constraint if exists "email_message_kind_check";`);

    this.addSql(`alter table "app_user" drop column "deleted_at";`);

    this.addSql(`alter table "audit_event" add constraint "audit_event_type_check" check("type" in ('SIGN_UP', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'REFRESH_TOKEN_REUSED', 'USER_BANNED', 'USER_UNBANNED', 'ROLE_CHANGED', 'ADMIN_CREATED'));`);

    this.addSql(`alter table "email_message" alter column "order_id" drop default;`);
    this.addSql(`alter table "email_message" alter column "order_id" type uuid using ("order_id"::text::uuid);`);
    this.addSql(`alter table "email_message" alter column "order_id" set not null;`);
    this.addSql(`alter table "email_message" add constraint "email_message_kind_check" check("kind" in ('ORDER_CONFIRMATION', 'NEW_ORDER'));`);
  }

}
