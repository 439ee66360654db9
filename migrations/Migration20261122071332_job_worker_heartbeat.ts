import { Migration } from '@mikro-orm/migrations';

export class Migration20261122071332_job_worker_heartbeat extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "job_worker_heartbeat" ("worker_id" text not null, "heartbeat_ms" int not null, "seen_at" timestamptz not null, "pid" int not null, "host" text not null, constraint "job_worker_heartbeat_pkey" primary key ("worker_id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "job_worker_heartbeat" cascade;`);
  }

}
