import { Migration } from '@mikro-orm/migrations';

/**
 * Every write to what the public catalogue shows (`product`, stock included; `shop`; `category`) notifies
 * `atelier_catalog_changed` in its own transaction: PostgreSQL delivers it only on commit, and once per transaction
 * (a statement trigger, and identical notifications of one transaction are folded into one). The notification relay
 * republishes it, and every instance drops its cached catalogue answers (`src/modules/catalog/catalog-version.ts`).
 */
export class Migration20261128230000_catalog_changed extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create or replace function atelier_notify_catalog_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('atelier_catalog_changed', '{}');
  return null;
end
$$;`);
    for (const table of ['product', 'shop', 'category']) {
      this.addSql(`create or replace trigger ${table}_catalog_changed after insert or update or delete or truncate on "${table}"
  for each statement execute function atelier_notify_catalog_changed();`);
    }
  }

  override async down(): Promise<void> {
    for (const table of ['product', 'shop', 'category']) this.addSql(`drop trigger if exists ${table}_catalog_changed on "${table}";`);
    this.addSql(`drop function if exists atelier_notify_catalog_changed();`);
  }

}
