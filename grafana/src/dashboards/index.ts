import type { ClassicDashboard } from './classic.ts';
import { loadTest } from './load-test.ts';
import { saleOverview } from './sale-overview.ts';

export interface RenderedDashboard {
  /** File name under grafana/dashboards. */
  file: string;
  dashboard: ClassicDashboard;
  /** The exact text committed to grafana/dashboards/<file>. */
  json: string;
}

/**
 * Grafana keys panel state (links, edits, library panels) by id; the builders leave ids unset, so
 * number them in order, rows included, giving every panel a stable, unique id.
 */
function numberPanels(dashboard: ClassicDashboard): ClassicDashboard {
  (dashboard.panels ?? []).forEach((panel, index) => {
    panel.id = index + 1;
  });
  return dashboard;
}

/** Every dashboard, built and serialised the way `pnpm generate` writes it. */
export function renderDashboards(): RenderedDashboard[] {
  return [
    { file: 'sale-overview.json', builder: saleOverview() },
    { file: 'load-test.json', builder: loadTest() },
  ].map(({ file, builder }) => {
    const dashboard = numberPanels(builder.build());
    return { file, dashboard, json: `${JSON.stringify(dashboard, null, 2)}\n` };
  });
}
