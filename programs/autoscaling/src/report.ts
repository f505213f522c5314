// The replay's figures as markdown tables (the ones docs/capacity-plan.md quotes, so a new run
// refreshes the plan by pasting) and as JSON.
import type { BenchFigure } from '@frequency/bench';
import type { Capacity } from './capacity.js';
import type { PhaseWindow } from './demand.js';
import type { ServiceManifest } from './manifests.js';
import { planFigures } from './plan.js';
import type { ReplayResult, ReplaySummary } from './replay.js';
import type { LoadAverage } from './run-benches.js';
import type { ServiceLoad, Timings } from './services.js';

export interface ServiceReport {
  manifest: ServiceManifest;
  load: ServiceLoad;
  readySeconds: number;
  result: ReplayResult;
  summary: ReplaySummary;
}

export interface Report {
  generatedAt: string;
  benchSource: string;
  loadAverages: LoadAverage[];
  figures: BenchFigure[];
  capacity: Capacity;
  timings: Timings;
  adapterWindowSeconds: number;
  admissionRatePerSecond: number;
  openingSecond: number;
  soldOutSecond: number | null;
  phases: PhaseWindow[];
  services: ServiceReport[];
  /** The same replay from the base manifests' floors, without the production overlay. */
  baseServices: ServiceReport[];
}

const int = (v: number) => Math.round(v).toLocaleString('en');
const dec = (v: number, digits = 2) => v.toFixed(digits);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function metricText(manifest: ServiceManifest): string {
  return manifest.metrics
    .map((m) =>
      m.type === 'Resource'
        ? `cpu ${m.resource.target.averageUtilization} %`
        : m.type === 'Pods'
          ? `${m.pods.metric.name} ${int(m.pods.target.averageValue)}/pod`
          : `backlog ${int(m.external.target.averageValue)}/pod`,
    )
    .join(' + ');
}

const clock = (second: number) =>
  `${Math.floor(second / 60)}:${String(second % 60).padStart(2, '0')}`;

export function verdict(service: ServiceReport): string {
  const { summary, load, result } = service;
  const firstUp = result.scaleUps[0];
  const ups =
    firstUp === undefined
      ? 'no scale-up'
      : `the HPA scales up from ${clock(firstUp.second)} to bring CPU back to its target`;
  if (summary.totalShortfall <= 0) {
    return summary.floorCarries
      ? `the floor carries the peak (at most ${int(summary.peakUtilisation)} % CPU of request); ${ups}`
      : `the ready pods never run out; ${ups}`;
  }
  const what =
    load.unit === 'msg/s' ? 'messages wait in the backlog' : 'requests would queue or fail';
  return `${int(summary.totalShortfall)} ${what} over ${summary.secondsShort} s while capacity lags (from ${clock(summary.firstShortSecond ?? 0)}); ${ups}`;
}

export function markdown(report: Report): string {
  const loads = report.loadAverages
    .map((l) => `${l.label}: ${dec(l.one)} / ${dec(l.five)} / ${dec(l.fifteen)}`)
    .join('; ');
  const benchRows = report.figures
    .filter((f) => f.unit !== 'ms' && f.unit !== 'B')
    .map((f) => [
      f.name,
      `${int(f.value)} ${f.unit}`,
      f.baseline === null ? '-' : `${int(f.baseline)} (${f.baselineName ?? ''})`,
      f.ratio === null ? '-' : `${dec(f.ratio)}×`,
    ]);
  const vcpu = report.capacity.assumptions.vcpuPerBenchCore;
  const costRows = Object.values(report.capacity.endpoints).map((e) => [
    e.endpoint,
    int(e.perCore),
    e.ratio === null ? '-' : `${dec(e.ratio)}×`,
    dec((vcpu / e.perCore) * 1000, 3),
    e.source,
  ]);
  const serviceTable = (services: readonly ServiceReport[]) =>
    table(
      [
        'service',
        'min–max',
        'metrics',
        'cpu req / limit',
        'pod ready after',
        'peak offered',
        'floor carries (busiest mix)',
        'first scale-up',
        'peak desired / ready',
        'peak CPU of request',
        'verdict',
      ],
      services.map(serviceRow),
    );
  const serviceRow = (s: ServiceReport) => {
    const m = s.manifest;
    const firstUp = s.result.scaleUps[0];
    return [
      m.service,
      `${m.hpa.minReplicas}–${m.hpa.maxReplicas}`,
      metricText(m),
      `${m.cpuRequest} / ${m.cpuLimit}`,
      `${s.readySeconds} s`,
      `${int(s.summary.peakOffered)} ${s.load.unit}`,
      `${int(s.summary.floorCeiling)} ${s.load.unit}`,
      firstUp === undefined ? 'none' : `${clock(firstUp.second)} (${firstUp.from}→${firstUp.to})`,
      `${s.summary.peakDesired} / ${s.summary.peakReady}`,
      `${int(s.summary.peakUtilisation)} %`,
      verdict(s),
    ];
  };
  const events = (services: readonly ServiceReport[]) =>
    services.map((s) => {
      const ups = s.result.scaleUps.map((u) => `${clock(u.second)} ${u.from}→${u.to}`).join(', ');
      return `- **${s.manifest.service}**: ${ups === '' ? 'no scale-up' : ups}`;
    });
  return [
    `Generated ${report.generatedAt} by \`pnpm autoscaling\` from ${report.benchSource}.`,
    `Load average (1 / 5 / 15 min) — ${loads === '' ? 'not recorded' : loads}.`,
    '',
    '### Bench figures (one process beside its load generator, same run)',
    '',
    table(['figure', 'value', 'bare baseline', 'ratio'], benchRows),
    '',
    `### Cost per request (1 core here = ${vcpu} vCPU)`,
    '',
    table(['endpoint', 'req/s per core', 'vs bare', 'vCPU-ms per request', 'source'], costRows),
    '',
    `Worker: ${int(report.capacity.persistRowsPerCore)} rows/s per core through the store; a purchase intent is one order row plus its tickets.`,
    '',
    "### Offered load by phase (full scale, the lifecycle's mix)",
    '',
    table(
      [
        'phase',
        'from',
        'req/s',
        ...report.services.map((x) => `${x.manifest.service} (${x.load.unit})`),
      ],
      report.phases.map((phase) => [
        phase.name,
        clock(phase.startSeconds),
        int(phase.ratePerSecond),
        ...report.services.map((x) =>
          int(Math.max(...x.load.offered.slice(phase.startSeconds, phase.endSeconds))),
        ),
      ]),
    ),
    '',
    "(each service's highest second in the phase)",
    '',
    '### The replay',
    '',
    `Lifecycle at full scale (peak 50,000 req/s), admission ${int(report.admissionRatePerSecond)} fans/s, sale opens at ${clock(report.openingSecond)}, sold out at ${report.soldOutSecond === null ? 'never' : clock(report.soldOutSecond)}. ` +
      `HPA sync 15 s, tolerance 0.1; a new pod serves ${report.timings.podStartSeconds} s (stated start-up estimate) + its probes' first successes after the HPA adds it. ` +
      `Metric windows: CPU ${report.timings.cpuWindowSeconds} s, prometheus-adapter rate ${report.adapterWindowSeconds} s, Pub/Sub backlog seen ${report.timings.backlogDelaySeconds} s late.`,
    '',
    '#### With the production overlay (infra/k8s/overlays/production/autoscaling.yaml)',
    '',
    serviceTable(report.services),
    '',
    'Scale-ups (time into the lifecycle, from→to):',
    '',
    ...events(report.services),
    '',
    "#### Floors and targets by the plan's rule (busiest second at the CPU target, × 3/2 for a lost zone)",
    '',
    table(
      [
        'service',
        'busiest second needs',
        'pods at CPU target',
        'floor by the rule',
        'production floor',
        'per pod at the CPU target',
        'per-pod target in the manifest',
      ],
      report.services.map((s) => {
        const p = planFigures(s.manifest, s.load);
        return [
          s.manifest.service,
          `${dec(p.peakVcpu)} vCPU`,
          `${p.podsAtTarget} (at ${p.cpuTargetPercent} %)`,
          String(p.floorByRule),
          `${s.manifest.hpa.minReplicas} ${s.manifest.hpa.minReplicas >= p.floorByRule ? '✔' : '✘ below the rule'}`,
          `${int(p.perPodAtCpuTarget)} ${s.load.unit}`,
          p.perPodTarget ?? '-',
        ];
      }),
    ),
    '',
    '#### From the base floors alone (infra/k8s/base), to show when autoscaling has to kick in',
    '',
    serviceTable(report.baseServices),
    '',
    'Scale-ups (time into the lifecycle, from→to):',
    '',
    ...events(report.baseServices),
    '',
  ].join('\n');
}

export function json(report: Report): string {
  const brief = (services: readonly ServiceReport[]) =>
    services.map((s) => ({
      service: s.manifest.service,
      manifest: s.manifest,
      readySeconds: s.readySeconds,
      summary: s.summary,
      verdict: verdict(s),
      scaleUps: s.result.scaleUps,
    }));
  return `${JSON.stringify(
    { ...report, services: brief(report.services), baseServices: brief(report.baseServices) },
    null,
    2,
  )}\n`;
}
