import type { EntityManager } from '@mikro-orm/postgresql';
import { personalDataCipher } from '../../infra/encryption/personal-data';
import { runSql } from '../../shared/sql';
import { openUserDisplayName, sealUserDisplayName } from './sealed-display-name';

/** One batch of a key rotation over users: how many rows it looked at and how many it re-sealed. */
export interface UserRotationBatch {
  /** The last user id looked at: where the next batch starts. Null when no user was left. */
  lastId: string | null;
  scanned: number;
  resealed: number;
  /** Changed by someone else between the read and the write (a deletion's anonymisation): left for the next run. */
  skipped: number;
}

/**
 * Re-seals, under the ring's current key, the display names of up to `batchSize` users after `afterId` that another
 * key sealed, in one short transaction. A write is conditional on the value read (compare and set), so a concurrent
 * change is never overwritten: it is skipped and a later run takes it. Sign-ups go on meanwhile: new names are sealed
 * under the current key already.
 */
export async function rotateUserBatch(em: EntityManager, afterId: string | null, batchSize: number): Promise<UserRotationBatch> {
  const current = personalDataCipher().currentKeyId;
  return em.transactional(async (tx) => {
    const rows = await runSql<{ id: string; display_name: string; stale: boolean }>(
      tx,
      `select id, display_name, split_part(display_name, '.', 2) <> ? as stale
         from app_user
        where ?::uuid is null or id > ?::uuid
        order by id limit ?`,
      [current, afterId, afterId, batchSize],
    );
    const stale = rows.filter((row) => row.stale);
    let resealed = 0;
    for (const row of stale) {
      const sealed = sealUserDisplayName(row.id, openUserDisplayName(row.id, row.display_name));
      const updated = await runSql(tx, 'update app_user set display_name = ? where id = ? and display_name = ? returning id', [sealed, row.id, row.display_name]);
      resealed += updated.length;
    }
    return { lastId: rows.at(-1)?.id ?? null, scanned: rows.length, resealed, skipped: stale.length - resealed };
  });
}
