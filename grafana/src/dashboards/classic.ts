// Grafana's classic dashboard schema (the JSON of grafana/dashboards: `panels` with `gridPos`),
// which the SDK marks deprecated in favour of its v2 resource schema. The classic schema is what
// Grafana's file provisioning loads (the compose profile's Grafana included) and what the renderer
// draws; the v2 schema is a different document (elements and layouts), so moving to it would
// rewrite the committed dashboards rather than the code that writes them. This module is the one
// place that makes the choice; the dashboards build through it.
/* eslint-disable @typescript-eslint/no-deprecated -- the classic schema on purpose, see above */
import { DashboardBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

export type ClassicDashboard = Dashboard;
export type ClassicDashboardBuilder = DashboardBuilder;

export function classicDashboard(title: string): ClassicDashboardBuilder {
  return new DashboardBuilder(title);
}
/* eslint-enable @typescript-eslint/no-deprecated */
