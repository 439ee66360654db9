import type { EntityManager } from '@mikro-orm/postgresql';
import { rotateUserBatch } from '../accounts';
import { rotateOrderBatch } from '../orders';
import type { ServiceScope } from '../service-scope';

/** The tables whose sealed values a rotation walks, in this order. */
export const ROTATED_TABLES = ['customer_order', 'app_user'] as const;
export type RotatedTable = (typeof ROTATED_TABLES)[number];

/** One batch of one table: re-seals what another key sealed, after `afterId`, in its own transaction. */
type RotateBatch = (em: EntityManager, afterId: string | null, batchSize: number) => Promise<{ lastId: string | null; scanned: number; resealed: number; skipped: number }>;

const BATCHES: Record<RotatedTable, RotateBatch> = {
  // Shipping addresses and checkout fingerprints.
  customer_order: rotateOrderBatch,
  // Display names.
  app_user: rotateUserBatch,
};

export interface RotationOptions {
  /** Rows per transaction. Default 500. */
  batchSize?: number;
  /** The table to start with, to resume (from a previous run's last progress line); the ones before it are skipped. Default: the first, `customer_order`. */
  table?: RotatedTable;
  /** Where to start in `table` (an id of that table, from a previous run's log), to resume. Default: its first row. */
  afterId?: string | null;
}

export interface RotationReport {
  scanned: number;
  resealed: number;
  /** Values changed concurrently: run again to take them. */
  skipped: number;
}

/** Re-sealing personal data under the current key of DATA_ENCRYPTION_KEYS. */
export const keyRotationService = {
  /**
   * `npm run rotate-keys` (as the system actor `rotate-keys`): walks every sealed value (orders, then users) in id
   * order, batch by batch (each its own short transaction, so the API stays online), and re-seals what another key
   * sealed under the ring's current key. Resumable: stopped anywhere, a new run (or `--table <table> --after <id>`
   * from the last progress line) takes up what remains; a finished run that reports nothing skipped means the older
   * keys can leave the ring. Progress goes to the scope's logger.
   */
  async rotate(scope: ServiceScope, options: RotationOptions = {}): Promise<RotationReport> {
    const batchSize = options.batchSize ?? 500;
    const report: RotationReport = { scanned: 0, resealed: 0, skipped: 0 };
    const startTable = options.table ?? ROTATED_TABLES[0];
    const first = ROTATED_TABLES.indexOf(startTable);
    if (first < 0) throw new Error(`no sealed values in table "${startTable}": one of ${ROTATED_TABLES.join(', ')}`);
    for (const table of ROTATED_TABLES.slice(first)) {
      let afterId = table === startTable ? (options.afterId ?? null) : null;
      for (;;) {
        const batch = await BATCHES[table](scope.em.fork(), afterId, batchSize);
        report.scanned += batch.scanned;
        report.resealed += batch.resealed;
        report.skipped += batch.skipped;
        if (batch.lastId === null) break;
        afterId = batch.lastId;
        scope.logger.info({ table, lastId: afterId, ...report }, 'key rotation progress');
        if (batch.scanned < batchSize) break;
      }
    }
    return report;
  },
};
