// Dashboard variables resolved as Grafana resolves them for a Prometheus datasource: a variable's
// query must find values in the range (else the dashboard shows nothing, and that is a failure
// here); "All" becomes the variable's allValue; chosen values become a regex alternation.
import type { Dashboard } from './dashboard-schema.ts';
import { promDuration, type QueryIntervals } from './interval.ts';
import type { PrometheusApi, TimeRange } from './prometheus-api.ts';

export type VariableValues = Map<string, string>;

/** Prometheus regex escaping, as Grafana's prometheusRegularEscape does for multi-value variables. */
function regexEscape(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&');
}

function parseLabelValuesQuery(query: string): { match: string | null; label: string } {
  const withMatch = /^label_values\(\s*(.+?)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/s.exec(
    query.trim(),
  );
  if (withMatch?.[1] !== undefined && withMatch[2] !== undefined)
    return { match: withMatch[1], label: withMatch[2] };
  const bare = /^label_values\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/.exec(query.trim());
  if (bare?.[1] !== undefined) return { match: null, label: bare[1] };
  throw new Error(`only label_values(...) variable queries are drawn, not: ${query}`);
}

/**
 * Every variable of the dashboard: `chosen` pins one (the run's testid), the others take "All".
 * Throws, naming the dashboard and variable, when a variable's query finds no value.
 */
export async function resolveVariables(
  dashboard: Dashboard,
  api: PrometheusApi,
  range: TimeRange,
  chosen: Record<string, string>,
): Promise<VariableValues> {
  const values: VariableValues = new Map();
  for (const variable of dashboard.templating?.list ?? []) {
    const { match, label } = parseLabelValuesQuery(variable.query);
    const found = await api.labelValues(label, match, range);
    const pinned = chosen[variable.name];
    if (pinned !== undefined) {
      if (!found.includes(pinned))
        throw new Error(
          `${dashboard.title}: variable $${variable.name} (${variable.query}) has no value "${pinned}" ` +
            `in the range; it has ${found.length === 0 ? 'none' : found.join(', ')}`,
        );
      values.set(variable.name, regexEscape(pinned));
      continue;
    }
    if (found.length === 0)
      throw new Error(
        `${dashboard.title}: variable $${variable.name} (${variable.query}) found no value in the range`,
      );
    values.set(
      variable.name,
      variable.includeAll
        ? (variable.allValue ?? `(${found.map(regexEscape).join('|')})`)
        : regexEscape(found[0] ?? ''),
    );
  }
  return values;
}

/** The expression with `$var`, `${var}`, `$__interval` and `$__rate_interval` replaced. */
export function interpolate(
  expr: string,
  values: VariableValues,
  intervals: QueryIntervals,
): string {
  return expr.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      if (name === '__interval') return promDuration(intervals.intervalMs);
      if (name === '__rate_interval') return promDuration(intervals.rateIntervalMs);
      const value = values.get(name);
      if (value === undefined) throw new Error(`unknown variable ${whole} in ${expr}`);
      return value;
    },
  );
}
