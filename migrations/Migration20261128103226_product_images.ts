import { Migration } from '@mikro-orm/migrations';

export class Migration20261128103226_product_images extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "product" add column "images" jsonb not null default '[]';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "product" drop column "images";`);
  }

}
