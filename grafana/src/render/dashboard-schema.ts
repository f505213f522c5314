// The part of Grafana's dashboard JSON the renderer draws. Parsed with zod so a dashboard that
// grew a panel type or field the renderer does not know fails by name instead of drawing wrong.
import { z } from 'zod';

export const GridPos = z.object({
  x: z.number().int().min(0).max(23),
  y: z.number().int().min(0),
  w: z.number().int().min(1).max(24),
  h: z.number().int().min(1),
});
export type GridPos = z.infer<typeof GridPos>;

const Target = z.object({
  expr: z.string().min(1),
  refId: z.string(),
  legendFormat: z.string().optional(),
  format: z.enum(['time_series', 'heatmap']).optional(),
});
export type Target = z.infer<typeof Target>;

const ThresholdStep = z.object({ value: z.number().nullable(), color: z.string() });
export type ThresholdStep = z.infer<typeof ThresholdStep>;

const FieldDefaults = z.object({
  unit: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  thresholds: z
    .object({ mode: z.literal('absolute'), steps: z.array(ThresholdStep).min(1) })
    .optional(),
  custom: z
    .object({
      lineWidth: z.number().optional(),
      fillOpacity: z.number().optional(),
      stacking: z.object({ mode: z.enum(['none', 'normal', 'percent']) }).optional(),
      thresholdsStyle: z.object({ mode: z.string() }).optional(),
    })
    .optional(),
});
export type FieldDefaults = z.infer<typeof FieldDefaults>;

const Legend = z.object({
  displayMode: z.enum(['list', 'table', 'hidden']).optional(),
  showLegend: z.boolean().optional(),
  calcs: z.array(z.string()).optional(),
});

const base = {
  id: z.number().int(),
  title: z.string(),
  description: z.string().optional(),
  gridPos: GridPos,
};

const queried = {
  ...base,
  targets: z.array(Target).min(1),
  fieldConfig: z.object({ defaults: FieldDefaults }).optional(),
  maxDataPoints: z.number().int().positive().optional(),
  interval: z.string().optional(),
};

export const RowPanel = z.object({ ...base, type: z.literal('row') });
export type RowPanel = z.infer<typeof RowPanel>;
export const TimeseriesPanel = z.object({
  ...queried,
  type: z.literal('timeseries'),
  options: z.object({ legend: Legend.optional() }).optional(),
});
export type TimeseriesPanel = z.infer<typeof TimeseriesPanel>;
export const StatPanel = z.object({
  ...queried,
  type: z.literal('stat'),
  options: z
    .object({
      graphMode: z.enum(['area', 'none']).optional(),
      reduceOptions: z.object({ calcs: z.array(z.string()) }).optional(),
    })
    .optional(),
});
export type StatPanel = z.infer<typeof StatPanel>;
export const HeatmapPanel = z.object({
  ...queried,
  type: z.literal('heatmap'),
  options: z
    .object({
      color: z
        .object({ scheme: z.string().optional(), exponent: z.number().optional() })
        .optional(),
      yAxis: z.object({ unit: z.string().optional() }).optional(),
    })
    .optional(),
});

export type HeatmapPanel = z.infer<typeof HeatmapPanel>;

export const Panel = z.discriminatedUnion('type', [
  RowPanel,
  TimeseriesPanel,
  StatPanel,
  HeatmapPanel,
]);
export type Panel = z.infer<typeof Panel>;
export type QueriedPanel = Exclude<Panel, RowPanel>;

const Variable = z.object({
  type: z.literal('query'),
  name: z.string(),
  query: z.string(),
  includeAll: z.boolean().optional(),
  multi: z.boolean().optional(),
  allValue: z.string().optional(),
});
export type Variable = z.infer<typeof Variable>;

export const Dashboard = z.object({
  uid: z.string(),
  title: z.string(),
  panels: z.array(Panel),
  templating: z.object({ list: z.array(Variable) }).optional(),
});
export type Dashboard = z.infer<typeof Dashboard>;
