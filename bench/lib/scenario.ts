import type { BenchHarness } from './harness';

/**
 * A benchmark: a file of its own in `bench/scenarios/`, listed in `bench/run.ts`. It measures through the
 * harness (`measure`, `baseline`), states its goals with `target`, and throws only when something is broken
 * (a failing request, a server that does not start): a slow result is a MISSED target, not an error.
 */
export interface Scenario {
  /** What `npm run bench -- <name>` selects it by. */
  name: string;
  /** One line, shown by `npm run bench -- --help`. */
  description: string;
  run(harness: BenchHarness): Promise<void>;
}
