import { Migration } from '@mikro-orm/migrations';
import { hasPersonalDataCipher } from '../src/infra/encryption/personal-data';
import { openUserDisplayName, sealUserDisplayName } from '../src/modules/accounts/sealed-display-name';

/** Rows per UPDATE statement. */
const CHUNK = 1_000;

/**
 * Display names at rest become AES-256-GCM sealed values bound to their user's id (same column, `app_user.display_name`,
 * see `sealed-display-name.ts`). Existing users are sealed here, in the migration's transaction, with the key ring
 * that `openConfiguredDatabase` loaded before migrating; down() opens them back.
 */
export class Migration20261129052000_sealed_display_name extends Migration {

  override async up(): Promise<void> {
    await this.rewriteNames('seal', sealUserDisplayName);
  }

  override async down(): Promise<void> {
    await this.rewriteNames('open', openUserDisplayName);
  }

  /** Replaces every user's display name with `rewrite(id, name)`, a chunk of users per statement. */
  private async rewriteNames(verb: string, rewrite: (userId: string, name: string) => string): Promise<void> {
    const rows = (await this.execute('select id, display_name from app_user order by id')) as { id: string; display_name: string }[];
    if (rows.length && !hasPersonalDataCipher()) {
      throw new Error(`display names to ${verb} but no key ring loaded: migrate with \`npm run migrate\` (it loads DATA_ENCRYPTION_KEYS)`);
    }
    for (let start = 0; start < rows.length; start += CHUNK) {
      const chunk = rows.slice(start, start + CHUNK);
      // JSON, not arrays: a migration's statement is rendered to text, where knex would spread an array into a list.
      const names = JSON.stringify(chunk.map((row) => ({ id: row.id, name: rewrite(row.id, row.display_name) })));
      await this.execute(this.getKnex().raw(
        'update app_user u set display_name = v.name from json_to_recordset(?::json) as v(id uuid, name text) where u.id = v.id',
        [names],
      ));
    }
  }

}
