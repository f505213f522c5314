// Metric names referenced by a PromQL expression, read with Prometheus' own grammar
// (@prometheus-io/lezer-promql, the parser behind the Prometheus UI) rather than with regexes, so
// function names, label names and keywords are never mistaken for metrics.
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';

export class PromqlSyntaxError extends Error {
  constructor(
    readonly expr: string,
    readonly offset: number,
  ) {
    super(`PromQL syntax error at offset ${offset}: ${expr}`);
    this.name = 'PromqlSyntaxError';
  }
}

/**
 * Grafana substitutes its variables before a query reaches Prometheus. A range such as
 * `[$__rate_interval]` becomes a duration, and any other `$var` / `${var}` sits inside a label value
 * in our dashboards, where a placeholder keeps the expression parseable.
 */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\[\s*\$\{?\w+\}?\s*\]/g, '[5m]')
    .replace(/\[\s*\$\{?\w+\}?\s*:\s*\$\{?\w+\}?\s*\]/g, '[5m:1m]')
    .replace(/\$\{\w+(?::\w+)?\}|\$\w+/g, 'grafana_variable');
}

function unquote(literal: string): string {
  const quote = literal[0];
  if (quote === '`') return literal.slice(1, -1);
  return literal.slice(1, -1).replace(/\\(.)/g, '$1');
}

function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child !== null; child = child.nextSibling) children.push(child);
  return children;
}

/** The metric name a `{__name__="…"}` matcher pins, or null for any other matcher. */
function nameFromMatcher(matcher: SyntaxNode, text: (node: SyntaxNode) => string): string | null {
  const [label, op, value] = childrenOf(matcher);
  if (label === undefined) return null;
  const labelName = label.name === 'QuotedLabelName' ? unquote(text(label)) : text(label);
  if (labelName !== '__name__') return null;
  if (op === undefined || value === undefined || text(op) !== '=') {
    throw new Error(`a __name__ matcher other than "=" names no single metric: ${text(matcher)}`);
  }
  return unquote(text(value));
}

/** Metric names in one PromQL expression, in order of first appearance. Throws on a syntax error. */
export function metricNamesInExpression(expr: string): string[] {
  const source = substituteGrafanaVariables(expr);
  const tree = parser.parse(source);
  const names: string[] = [];
  const text = (node: SyntaxNode): string => source.slice(node.from, node.to);
  // Where the parser found errors; the first is reported.
  const errors: number[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) {
        errors.push(ref.from);
        return false;
      }
      if (ref.name === 'Identifier' && ref.node.parent?.name === 'VectorSelector') {
        names.push(text(ref.node));
      } else if (ref.name === 'QuotedLabelName' && ref.node.parent?.name === 'LabelMatchers') {
        // {"name.with.dots", …}: a quoted metric name (UTF-8 names).
        names.push(unquote(text(ref.node)));
      } else if (ref.name === 'UnquotedLabelMatcher' || ref.name === 'QuotedLabelMatcher') {
        const name = nameFromMatcher(ref.node, text);
        if (name !== null) names.push(name);
      }
      return undefined;
    },
  });
  const [error] = errors;
  if (error !== undefined) throw new PromqlSyntaxError(expr, error);
  return [...new Set(names)];
}

/**
 * The expression a Grafana Prometheus variable query evaluates, if any:
 * `label_values(<selector>, label)` and `query_result(<expr>)` hold PromQL; `label_values(label)`,
 * `label_names()` and `metrics(regex)` name no metric.
 */
export function expressionInVariableQuery(query: string): string | null {
  const trimmed = query.trim();
  const labelValues = /^label_values\(\s*(.+)\s*,\s*[A-Za-z_][A-Za-z0-9_]*\s*\)$/s.exec(trimmed);
  if (labelValues?.[1] !== undefined) return labelValues[1];
  const queryResult = /^query_result\(\s*(.+)\s*\)$/s.exec(trimmed);
  if (queryResult?.[1] !== undefined) return queryResult[1];
  if (/^(label_values|label_names|metrics)\(/.test(trimmed)) return null;
  throw new Error(`unrecognised Grafana variable query: ${query}`);
}
