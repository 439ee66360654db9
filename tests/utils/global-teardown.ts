import type { ScratchDatabase } from '../../scripts/lib/scratch-database';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __scratchDatabase__?: ScratchDatabase }).__scratchDatabase__?.stop();
}
