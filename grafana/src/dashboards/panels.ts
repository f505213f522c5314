// Small helpers so every dashboard panel reads the same way: a title, a unit, PromQL targets.
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import {
  BigValueGraphMode,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
  LegendDisplayMode,
  LegendPlacement,
} from '@grafana/grafana-foundation-sdk/common';
import type { Threshold } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  HeatmapColorMode,
  HeatmapColorOptionsBuilder,
  HeatmapColorScale,
  PanelBuilder as HeatmapPanelBuilder,
  YAxisConfigBuilder,
} from '@grafana/grafana-foundation-sdk/heatmap';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** The uid provisioned in grafana/provisioning/datasources/prometheus.yml. */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };

export interface Query {
  expr: string;
  legend: string;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function refId(index: number): string {
  const id = REF_IDS[index];
  if (id === undefined) throw new Error('a panel has at most 26 queries');
  return id;
}

function target(query: Query, index: number): DataqueryBuilder {
  return new DataqueryBuilder()
    .datasource(PROMETHEUS)
    .refId(refId(index))
    .expr(query.expr)
    .legendFormat(query.legend)
    .range();
}

export interface TimeseriesOptions {
  title: string;
  description: string;
  unit: string;
  queries: Query[];
  width?: number;
  height?: number;
  stacked?: boolean;
  min?: number;
}

export function timeseries(options: TimeseriesOptions): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .title(options.title)
    .description(options.description)
    .datasource(PROMETHEUS)
    .unit(options.unit)
    .span(options.width ?? 12)
    .height(options.height ?? 8)
    .lineWidth(1)
    .fillOpacity(options.stacked === true ? 30 : 10)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .calcs(['lastNotNull', 'max']),
    );
  if (options.min !== undefined) panel.min(options.min);
  if (options.stacked === true) {
    panel.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  }
  options.queries.forEach((query, index) => panel.withTarget(target(query, index)));
  return panel;
}

export interface StatOptions {
  title: string;
  description: string;
  unit: string;
  query: Query;
  /** Value at and above which the stat turns red; below it is green. */
  redFrom?: number;
  width?: number;
}

export function stat(options: StatOptions): StatPanelBuilder {
  const steps: Threshold[] = [{ value: null, color: 'green' }];
  if (options.redFrom !== undefined) steps.push({ value: options.redFrom, color: 'red' });
  return new StatPanelBuilder()
    .title(options.title)
    .description(options.description)
    .datasource(PROMETHEUS)
    .unit(options.unit)
    .span(options.width ?? 6)
    .height(8)
    .graphMode(BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps))
    .withTarget(target(options.query, 0));
}

export interface HeatmapOptions {
  title: string;
  description: string;
  /** A sum by (le) of bucket rates. */
  expr: string;
  width?: number;
}

export function latencyHeatmap(options: HeatmapOptions): HeatmapPanelBuilder {
  return new HeatmapPanelBuilder()
    .title(options.title)
    .description(options.description)
    .datasource(PROMETHEUS)
    .span(options.width ?? 12)
    .height(8)
    .calculate(false)
    .color(
      new HeatmapColorOptionsBuilder()
        .mode(HeatmapColorMode.Scheme)
        .scheme('Oranges')
        .scale(HeatmapColorScale.Exponential)
        .exponent(0.5)
        .steps(64),
    )
    .yAxis(new YAxisConfigBuilder().unit('s'))
    .withTarget(
      new DataqueryBuilder()
        .datasource(PROMETHEUS)
        .refId('A')
        .expr(options.expr)
        .legendFormat('{{le}}')
        .format(PromQueryFormat.Heatmap)
        .range(),
    );
}

export interface VariableOptions {
  name: string;
  label: string;
  /** A Grafana Prometheus variable query, e.g. label_values(metric, label). */
  query: string;
}

export function variable(options: VariableOptions): QueryVariableBuilder {
  return new QueryVariableBuilder(options.name)
    .label(options.label)
    .datasource(PROMETHEUS)
    .query(options.query)
    .definition(options.query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*');
}
