import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { createMetrics } from '../../../src/infra/metrics';
import { repoRoot } from '../../utils/build';

/** The label names of every series the API serves, by series name (histograms: `_bucket` with `le`, `_count`, `_sum`). */
function servedSeries(): Map<string, string[]> {
  const served = new Map<string, string[]>([['up', ['job', 'instance']]]);
  for (const metric of createMetrics().registry.getMetricsAsArray()) {
    const labels = [...((metric as unknown as { labelNames?: string[] }).labelNames ?? []), 'job', 'instance'];
    served.set(metric.name, labels);
    // prom-client's Metric type has no `type` in its public typings for every kind: read it as the registry writes it.
    if ((metric as unknown as { type?: string }).type === 'histogram') {
      served.set(`${metric.name}_bucket`, [...labels, 'le']);
      served.set(`${metric.name}_count`, labels);
      served.set(`${metric.name}_sum`, labels);
    }
  }
  return served;
}

/**
 * The syntax errors of a PromQL expression, as Prometheus's own grammar finds them (`@prometheus-io/lezer-promql`,
 * the parser of Prometheus's web UI, published from the Prometheus repository): `error at <offset>: <text>` each.
 */
function syntaxErrorsOf(expr: string): string[] {
  const errors: string[] = [];
  promqlParser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`syntax error at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 10), node.to + 10))}`);
    },
  });
  return errors;
}

/**
 * What can be checked of a PromQL expression without Prometheus: its syntax (above), brackets balance, quotes close, every `atelier_`
 * series is one the API serves, and every label a selector or a `by (…)` names is one that series has.
 */
function problemsOf(expr: string, served: Map<string, string[]>): string[] {
  const problems: string[] = syntaxErrorsOf(expr);
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (const char of expr.replace(/"[^"]*"/g, '""')) {
    if ('([{'.includes(char)) stack.push(char);
    else if (char in pairs && stack.pop() !== pairs[char]) problems.push(`unbalanced ${char}`);
  }
  if (stack.length) problems.push(`unclosed ${stack.join('')}`);
  if ((expr.match(/"/g) ?? []).length % 2) problems.push('unclosed quote');
  const series = [...expr.matchAll(/\b((?:atelier_|up\b)[a-z0-9_]*)(?:\{([^}]*)\})?/g)];
  const used = new Set<string>();
  for (const [, name, selector] of series) {
    const labels = served.get(name!);
    if (!labels) {
      problems.push(`${name} is not served`);
      continue;
    }
    used.add(name!);
    for (const [, label] of (selector ?? '').matchAll(/([a-z_]+)\s*(?:=~|!=|!~|=)/g)) {
      if (!labels.includes(label!)) problems.push(`${name} has no label ${label}`);
    }
  }
  for (const [, grouping] of expr.matchAll(/\bby \(([^)]*)\)/g)) {
    for (const label of grouping!.split(',').map((word) => word.trim())) {
      if (![...used].some((name) => served.get(name)!.includes(label))) problems.push(`no series of the expression has label ${label}`);
    }
  }
  return problems;
}

describe('the PromQL syntax check', () => {
  it("should find the errors that Prometheus's grammar finds, and none in a valid expression", () => {
    expect(syntaxErrorsOf('sum by (task) (atelier_job_queue_jobs{state="failed"}) > 0')).toEqual([]);
    expect(syntaxErrorsOf('histogram_quantile(0.99, sum by (le) (rate(atelier_live_event_lag_seconds_bucket[5m])))')).toEqual([]);
    expect(syntaxErrorsOf('sum(rate(atelier_checkouts_total[5m])')).not.toEqual([]);
    expect(syntaxErrorsOf('rate(atelier_checkouts_total[5 minutes])')).not.toEqual([]);
    expect(syntaxErrorsOf('atelier_payments{status=}')).not.toEqual([]);
  });
});

describe('the Prometheus alert rules (deploy/prometheus)', () => {
  const rules = parse(readFileSync(join(repoRoot, 'deploy', 'prometheus', 'atelier-alerts.yml'), 'utf8')) as {
    groups: Array<{ name: string; rules: Array<Record<string, unknown>> }>;
  };
  const all = rules.groups.flatMap((group) => group.rules);

  it('should be rule groups of alerts with an expression, a duration, a severity and a summary, each named once', () => {
    expect(rules.groups.length).toBeGreaterThan(0);
    for (const rule of all) {
      expect(Object.keys(rule).sort()).toEqual(['alert', 'annotations', 'expr', 'for', 'labels']);
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect((rule.labels as Record<string, string>).severity).toMatch(/^(warning|critical)$/);
      expect((rule.annotations as Record<string, string>).summary).toBeTruthy();
    }
    const names = all.map((rule) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
    // What the issue asks to be alerted on: failed jobs, the circuit, the hubs' lag, readiness.
    expect(all.map((rule) => rule.expr).join('\n')).toEqual(
      expect.stringMatching(/atelier_job_queue_jobs\{state="failed"\}[\s\S]*atelier_payment_circuit_open[\s\S]*atelier_live_event_lag_seconds_bucket/),
    );
  });

  it('should query only series and labels that the API serves', () => {
    const served = servedSeries();
    const problems = all.flatMap((rule) => problemsOf(String(rule.expr), served).map((problem) => `${String(rule.alert)}: ${problem}`));
    expect(problems).toEqual([]);
  });
});

describe('the Grafana dashboard (deploy/grafana)', () => {
  const dashboard = JSON.parse(readFileSync(join(repoRoot, 'deploy', 'grafana', 'atelier-dashboard.json'), 'utf8')) as {
    uid: string;
    title: string;
    panels: Array<{ id: number; title: string; targets: Array<{ expr: string }> }>;
  };

  it('should be a dashboard whose panels each have an id of their own and a query', () => {
    expect(dashboard.uid).toBe('atelier-overview');
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) expect(panel.targets.length).toBeGreaterThan(0);
  });

  it('should query only series and labels that the API serves, and show every atelier metric', () => {
    const served = servedSeries();
    const expressions = dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ panel: panel.title, expr: target.expr.replace(/\$__rate_interval/g, '5m') })));
    expect(expressions.flatMap(({ panel, expr }) => problemsOf(expr, served).map((problem) => `${panel}: ${problem}`))).toEqual([]);
    const shown = expressions.map(({ expr }) => expr).join('\n');
    const notShown = [...served.keys()].filter((name) => /^atelier_/.test(name) && !/_(count|sum)$/.test(name) && !served.has(`${name}_bucket`) && !shown.includes(name));
    expect(notShown.filter((name) => !['atelier_public_response_cache_lookups_total'].includes(name))).toEqual([]);
  });
});
