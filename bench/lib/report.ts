import type { LoadResult } from './load';

/** A goal a scenario checks, e.g. "Catalog ≥ 50 % of the baseline's throughput". */
export interface TargetOutcome {
  /** What is measured, e.g. `Catalog(first: 20) throughput vs { __typename }`. */
  name: string;
  /** The measurement, formatted, e.g. `62 % (1 830 vs 2 950 req/s)`. */
  measured: string;
  /** The goal, formatted, e.g. `≥ 50 %`. */
  goal: string;
  met: boolean;
}

interface ScenarioReport {
  name: string;
  loads: LoadResult[];
  targets: TargetOutcome[];
}

/** Collects what the scenarios measure and prints it as one table and a list of targets, MET or MISSED. */
export class Report {
  private readonly scenarios: ScenarioReport[] = [];

  begin(scenario: string): void {
    this.scenarios.push({ name: scenario, loads: [], targets: [] });
  }

  addLoad(result: LoadResult): void {
    this.current().loads.push(result);
  }

  addTarget(target: TargetOutcome): void {
    this.current().targets.push(target);
  }

  get missedTargets(): number {
    return this.scenarios.reduce((sum, scenario) => sum + scenario.targets.filter((target) => !target.met).length, 0);
  }

  /** The table of loads, then the targets; plain text, fixed-width columns. */
  format(): string {
    const header = ['scenario', 'operation', 'req/s', 'p50 ms', 'p99 ms', 'SQL/req', 'SQL 1 req', 'server CPU ms/req', 'requests'];
    const rows = this.scenarios.flatMap((scenario) =>
      scenario.loads.map((load) => [
        scenario.name,
        load.label,
        load.requestsPerSecond.toFixed(0),
        load.p50Ms.toFixed(1),
        load.p99Ms.toFixed(1),
        load.statementsPerRequest.toFixed(2),
        String(load.statementsOneRequest),
        load.serverCpuMsPerRequest === undefined ? '-' : load.serverCpuMsPerRequest.toFixed(2),
        String(load.requests),
      ]),
    );
    const lines: string[] = [];
    if (rows.length) {
      const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
      // Text columns left-aligned, numbers right-aligned.
      const line = (cells: string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
      lines.push(line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line));
    }
    const targets = this.scenarios.flatMap((scenario) => scenario.targets.map((target) => ({ scenario: scenario.name, ...target })));
    if (targets.length) {
      if (lines.length) lines.push('');
      for (const target of targets) {
        lines.push(`${target.met ? 'MET   ' : 'MISSED'}  [${target.scenario}] ${target.name}: ${target.measured} (target ${target.goal})`);
      }
    }
    return lines.join('\n');
  }

  private current(): ScenarioReport {
    const scenario = this.scenarios[this.scenarios.length - 1];
    if (!scenario) throw new Error('Report.begin(scenario) must come first');
    return scenario;
  }
}
