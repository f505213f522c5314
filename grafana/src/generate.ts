// Writes grafana/dashboards/*.json from the dashboard code. Run after changing src/dashboards and
// commit the result: Grafana provisions the JSON, and a test fails while it is stale.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDashboards } from './dashboards/index.ts';
import { dashboardsDir } from './paths.ts';

const rendered = renderDashboards();
const keep = new Set(rendered.map((dashboard) => dashboard.file));
for (const file of readdirSync(dashboardsDir)) {
  if (file.endsWith('.json') && !keep.has(file)) rmSync(join(dashboardsDir, file));
}
for (const { file, json } of rendered) {
  writeFileSync(join(dashboardsDir, file), json);
  console.log(`wrote dashboards/${file}`);
}
