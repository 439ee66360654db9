import { rotateOrderBatch } from '../orders';
import type { ServiceScope } from '../service-scope';

export interface RotationOptions {
  /** Rows per transaction. Default 500. */
  batchSize?: number;
  /** Where to start (an order id, from a previous run's log), to resume. Default: the first order. */
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
   * `npm run rotate-keys` (as the system actor `rotate-keys`): walks every sealed value in id order, batch by batch
   * (each its own short transaction, so the API stays online), and re-seals what another key sealed under the ring's
   * current key. Resumable: stopped anywhere, a new run (or `--after <id>` from the last progress line) takes up what
   * remains; a finished run that reports nothing skipped means the older keys can leave the ring. Progress goes to the
   * scope's logger.
   */
  async rotate(scope: ServiceScope, options: RotationOptions = {}): Promise<RotationReport> {
    const batchSize = options.batchSize ?? 500;
    const report: RotationReport = { scanned: 0, resealed: 0, skipped: 0 };
    let afterId = options.afterId ?? null;
    for (;;) {
      const batch = await rotateOrderBatch(scope.em.fork(), afterId, batchSize);
      report.scanned += batch.scanned;
      report.resealed += batch.resealed;
      report.skipped += batch.skipped;
      if (batch.lastId === null) break;
      afterId = batch.lastId;
      scope.logger.info({ table: 'customer_order', lastId: afterId, ...report }, 'key rotation progress');
      if (batch.scanned < batchSize) break;
    }
    return report;
  },
};
