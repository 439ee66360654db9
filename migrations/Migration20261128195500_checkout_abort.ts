import { Migration } from '@mikro-orm/migrations';

/**
 * `atelier_abort(reason, detail)`: raises an error (SQLSTATE `AT001`, message `reason`, detail `reason:detail`, since
 * knex rewrites the message) from inside a plain SQL statement, which has no RAISE of its own. Checkout writes in one
 * statement, a transaction on its own, and aborts it with this when a line lacks stock or the cart changed since it
 * was read: PostgreSQL rolls the whole statement back, and the row locks it took never wait on a round trip.
 */
export class Migration20261128195500_checkout_abort extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create or replace function atelier_abort(reason text, detail text) returns boolean language plpgsql volatile as $$
begin
  raise exception using errcode = 'AT001', message = reason, detail = reason || ':' || coalesce(detail, '');
end
$$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists atelier_abort(text, text);`);
  }

}
