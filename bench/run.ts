/**
 * `npm run bench [-- <scenario>…]`: builds, then runs the benchmark scenarios (all of them, or those named)
 * against the API started in production mode as a child process, over a scratch embedded PostgreSQL, on
 * 127.0.0.1 only. Prints a table (req/s, p50, p99, SQL statements per request) and each target, MET or
 * MISSED. Exits 0 when everything ran, missed targets included; 1 when something broke; 2 on bad arguments.
 *
 * Settings from the environment: BENCH_CONNECTIONS (20), BENCH_DURATION (10 s), BENCH_WARMUP (2 s);
 * BENCH_SERVER_NODE_ARGS are node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
 * A new scenario is a file in `bench/scenarios/` exporting a {@link Scenario}, added to SCENARIOS below.
 */
import 'reflect-metadata';
import { cpus } from 'node:os';
import { createLogger } from '../src/infra/logger';
import { BenchHarnessImpl, CATALOG_PRODUCTS, log } from './lib/harness';
import { loadSettingsFromEnv } from './lib/load';
import { Report } from './lib/report';
import type { Scenario } from './lib/scenario';
import { authScenario } from './scenarios/auth';
import { catalogScenario } from './scenarios/catalog';
import { checkoutScenario } from './scenarios/checkout';
import { dashboardScenario } from './scenarios/dashboard';
import { fanoutScenario } from './scenarios/fanout';
import { memoryScenario } from './scenarios/memory';
import { paymentsScenario } from './scenarios/payments';
import { seedScenario } from './scenarios/seed';
import { shopOrdersScenario } from './scenarios/shop-orders';

/** Every scenario, in the order a full run takes them; `memory` last, as it reads the servers' memory after all the others. */
const SCENARIOS: readonly Scenario[] = [catalogScenario, authScenario, checkoutScenario, fanoutScenario, paymentsScenario, seedScenario, shopOrdersScenario, dashboardScenario, memoryScenario];

async function main(): Promise<number> {
  const names = process.argv.slice(2);
  if (names.includes('--help') || names.includes('-h')) {
    console.log(`usage: npm run bench [-- <scenario>…]\n\n${SCENARIOS.map((s) => `  ${s.name.padEnd(12)} ${s.description}`).join('\n')}`);
    return 0;
  }
  const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length) {
    console.error(`unknown scenario: ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const selected = names.length ? SCENARIOS.filter((scenario) => names.includes(scenario.name)) : SCENARIOS;

  const settings = loadSettingsFromEnv();
  const report = new Report();
  const harness = new BenchHarnessImpl(createLogger('warn'), settings, report);
  // Ctrl-C must not leave a server, a PostgreSQL or a data directory behind.
  process.once('exit', () => harness.onExit());
  const interrupt = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping`);
    harness.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  let failure: unknown;
  try {
    for (const scenario of selected) {
      log(`scenario ${scenario.name}`);
      report.begin(scenario.name);
      await scenario.run(harness);
    }
  } catch (error) {
    failure = error;
  }
  try {
    await harness.close();
  } catch (error) {
    failure ??= error;
  }

  console.log(
    `\nAtelier benchmark: node ${process.version}, ${cpus().length} CPUs, ${settings.connections} connections, ` +
      `${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s per operation, ${CATALOG_PRODUCTS} products\n`,
  );
  console.log(report.format());
  if (failure) {
    console.error(`\nbenchmark failed: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}`);
    return 1;
  }
  if (report.missedTargets) console.log(`\n${report.missedTargets} target(s) MISSED`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
