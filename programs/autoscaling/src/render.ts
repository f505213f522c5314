// One chart per service, drawn with uPlot in a page that headless Chromium screenshots to PNG:
// offered load, replicas desired and ready, CPU utilisation of the request, with a line at the
// opening burst, at sold out and at every scale-up.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, screenshotPage } from '@frequency/grafana/screenshot';
import type { ChartData } from './browser/chart-data.js';
import type { Report, ServiceReport } from './report.js';
import { verdict } from './report.js';

/** The page's script: draws one ChartData with uPlot. */
const CHART_SCRIPT = fileURLToPath(new URL('./browser/chart.ts', import.meta.url));

export type { ChartData };

export function chartData(report: Report, service: ServiceReport): ChartData {
  const s = service.result.seconds;
  const m = service.manifest;
  const marks = [
    { second: report.openingSecond, label: 'sale opens', color: '#d62728' },
    ...(report.soldOutSecond === null
      ? []
      : [{ second: report.soldOutSecond, label: 'sold out', color: '#555' }]),
    ...service.result.scaleUps.map((u) => ({
      second: u.second,
      label: `${u.from}→${u.to}`,
      color: '#2ca02c',
    })),
  ];
  return {
    title: `${m.service}: HPA ${m.hpa.minReplicas}–${m.hpa.maxReplicas} replicas, pod ready ${service.readySeconds} s after scale-up`,
    subtitle: verdict(service),
    unit: service.load.unit,
    seconds: s.map((x) => x.second),
    offered: s.map((x) => Math.round(x.offered)),
    served: s.map((x) => Math.round(x.served)),
    desired: s.map((x) => x.desired),
    ready: s.map((x) => x.ready),
    utilisation: s.map((x) => Math.round(x.utilisation * 10) / 10),
    marks,
    phases: report.phases.map((p) => ({ start: p.startSeconds, name: p.name })),
  };
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#fff;font:13px system-ui,sans-serif;color:#222}
#frame{padding:12px 16px;width:1200px}h1{font-size:16px;margin:0 0 2px}p{margin:0 0 8px;color:#444}
</style></head><body><div id="frame">
<h1 id="title"></h1><p id="subtitle"></p><div id="chart"></div></div></body></html>`;

export interface RenderOptions {
  chromiumPath: string;
  outDir: string;
}

/** Screenshots one PNG per service into outDir; returns the files written. */
export async function renderCharts(
  charts: readonly ChartData[],
  names: readonly string[],
  options: RenderOptions,
): Promise<string[]> {
  const browser = await launchChromium(options.chromiumPath);
  const written: string[] = [];
  try {
    for (const [index, data] of charts.entries()) {
      const file = join(options.outDir, `${names[index] ?? `chart-${index}`}.png`);
      await screenshotPage(
        browser,
        {
          html: PAGE,
          script: CHART_SCRIPT,
          model: data,
          viewport: { width: 1240, height: 620 },
          selector: '#frame',
        },
        file,
      );
      written.push(file);
    }
  } finally {
    await browser.close();
  }
  return written;
}
