import { Migration } from '@mikro-orm/migrations';

export class Migration20261122045049_accounts extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_event" ("id" uuid not null, "type" text check ("type" in ('SIGN_UP', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'REFRESH_TOKEN_REUSED', 'USER_BANNED', 'USER_UNBANNED', 'ROLE_CHANGED', 'ADMIN_CREATED')) not null, "user_id" uuid null, "actor_id" uuid null, "client_address" text null, "request_id" text null, "details" jsonb not null, "created_at" timestamptz not null, constraint "audit_event_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_event_type_id_index" on "audit_event" ("type", "id");`);
    this.addSql(`create index "audit_event_user_id_id_index" on "audit_event" ("user_id", "id");`);

    this.addSql(`create table "refresh_token" ("id" uuid not null, "session_id" uuid not null, "token_hash" text not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, constraint "refresh_token_pkey" primary key ("id"));`);
    this.addSql(`create index "refresh_token_session_id_index" on "refresh_token" ("session_id");`);
    this.addSql(`alter table "refresh_token" add constraint "refresh_token_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "refresh_token" add constraint "refresh_token_session_id_foreign" foreign key ("session_id") references "auth_session" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_event" cascade;`);

    this.addSql(`drop table if exists "refresh_token" cascade;`);
  }

}
