// Which metrics the dashboards and the Prometheus rules need the services to export.
//
// A service test can scrape every process's /metrics and check that each returned name is there:
// a renamed metric then fails a test instead of leaving a dashboard panel empty. Names are sample
// names as PromQL writes them (a histogram appears as `…_bucket`); `metricFamily` gives the family
// name a `# TYPE` line carries, for metrics that have not been observed yet.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expressionInVariableQuery, metricNamesInExpression } from './promql.ts';
import { dashboardsDir, rulesDir } from './paths.ts';

export interface SourcedExpression {
  /** Where the expression lives, for error messages: file and panel or rule. */
  source: string;
  expr: string;
}

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface AlertRule {
  alert: string;
  expr: string;
}

export interface Rules {
  recording: RecordingRule[];
  alerts: AlertRule[];
}

/** Series that the services do not export: k6's remote write, kube-state-metrics, Stackdriver, Prometheus' own `up`. */
export function isExternalMetric(name: string): boolean {
  return name === 'up' || /^(k6|kube|stackdriver)_/.test(name);
}

/** `http_request_duration_seconds_bucket` → `http_request_duration_seconds`: the name on `# TYPE`. */
export function metricFamily(name: string): string {
  return name.replace(/_(bucket|sum|count)$/, '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Reads a Prometheus rule file's groups[].rules[] (the format `promtool check rules` accepts). */
export function parseRuleFile(text: string, file: string): Rules {
  const document: unknown = parse(text);
  if (!isRecord(document) || !Array.isArray(document['groups'])) {
    throw new Error(`${file}: expected a top-level "groups" list`);
  }
  const rules: Rules = { recording: [], alerts: [] };
  for (const group of document['groups']) {
    for (const rule of asArray(isRecord(group) ? group['rules'] : undefined)) {
      if (!isRecord(rule) || typeof rule['expr'] !== 'string') {
        throw new Error(`${file}: every rule needs an expr string`);
      }
      const expr = rule['expr'];
      if (typeof rule['record'] === 'string')
        rules.recording.push({ record: rule['record'], expr });
      else if (typeof rule['alert'] === 'string') rules.alerts.push({ alert: rule['alert'], expr });
      else throw new Error(`${file}: a rule has neither record nor alert`);
    }
  }
  return rules;
}

export function loadRules(dir: string = rulesDir): Rules {
  const rules: Rules = { recording: [], alerts: [] };
  for (const file of readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()) {
    const parsed = parseRuleFile(readFileSync(join(dir, file), 'utf8'), file);
    rules.recording.push(...parsed.recording);
    rules.alerts.push(...parsed.alerts);
  }
  return rules;
}

function panelExpressions(panels: unknown[], file: string, out: SourcedExpression[]): void {
  for (const panel of panels) {
    if (!isRecord(panel)) continue;
    const title = typeof panel['title'] === 'string' ? panel['title'] : '(untitled)';
    for (const target of asArray(panel['targets'])) {
      if (isRecord(target) && typeof target['expr'] === 'string' && target['expr'] !== '') {
        const refId = typeof target['refId'] === 'string' ? target['refId'] : '?';
        out.push({ source: `${file}: panel "${title}" query ${refId}`, expr: target['expr'] });
      }
    }
    // A collapsed row keeps its panels inside it.
    panelExpressions(asArray(panel['panels']), file, out);
  }
}

/** Every PromQL expression in a Grafana dashboard: panel targets and variable queries. */
export function dashboardExpressions(dashboard: unknown, file: string): SourcedExpression[] {
  if (!isRecord(dashboard)) throw new Error(`${file}: not a dashboard object`);
  const out: SourcedExpression[] = [];
  panelExpressions(asArray(dashboard['panels']), file, out);
  const templating = dashboard['templating'];
  for (const variable of asArray(isRecord(templating) ? templating['list'] : undefined)) {
    if (!isRecord(variable) || variable['type'] !== 'query') continue;
    const raw = variable['query'];
    const query = isRecord(raw) ? raw['query'] : raw;
    if (typeof query !== 'string') continue;
    const expr = expressionInVariableQuery(query);
    if (expr !== null) out.push({ source: `${file}: variable ${String(variable['name'])}`, expr });
  }
  return out;
}

/** The committed dashboards, as Grafana provisions them. */
export function loadDashboardExpressions(dir: string = dashboardsDir): SourcedExpression[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) =>
      dashboardExpressions(JSON.parse(readFileSync(join(dir, file), 'utf8')), file),
    );
}

function namesIn(expression: SourcedExpression): string[] {
  try {
    return metricNamesInExpression(expression.expr);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${expression.source}: ${reason}`);
  }
}

/**
 * Metric names the expressions need from the services. A recording rule's name stands for the
 * metrics its own expression reads (recursively), since Prometheus can only record what is scraped.
 */
export function exportedMetricNames(expressions: SourcedExpression[], rules: Rules): string[] {
  const recorded = new Map(rules.recording.map((rule) => [rule.record, rule]));
  const names = new Set<string>();
  const expanded = new Set<string>();
  const visit = (expression: SourcedExpression): void => {
    for (const name of namesIn(expression)) {
      const rule = recorded.get(name);
      if (rule !== undefined) {
        if (expanded.has(name)) continue;
        expanded.add(name);
        visit({ source: `recording rule ${rule.record}`, expr: rule.expr });
      } else if (!isExternalMetric(name)) {
        names.add(name);
      }
    }
  };
  expressions.forEach(visit);
  return [...names].sort();
}

/** Names of the recording rules in grafana/prometheus/rules, which no service exports. */
export function recordingRuleNames(): string[] {
  return loadRules()
    .recording.map((rule) => rule.record)
    .sort();
}

/** Metrics the committed Grafana dashboards read, through the recording rules they use. */
export function metricNamesUsedByDashboards(): string[] {
  return exportedMetricNames(loadDashboardExpressions(), loadRules());
}

/** Metrics the recording and alert rules read. */
export function metricNamesUsedByRules(): string[] {
  const rules = loadRules();
  const expressions: SourcedExpression[] = [
    ...rules.recording.map((rule) => ({
      source: `recording rule ${rule.record}`,
      expr: rule.expr,
    })),
    ...rules.alerts.map((rule) => ({ source: `alert ${rule.alert}`, expr: rule.expr })),
  ];
  return exportedMetricNames(expressions, rules);
}
