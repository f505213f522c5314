// `pnpm autoscaling`: bench, replay every service with an HPA through the lifecycle, write the
// charts and the summary the capacity plan quotes. Usage: src/options.ts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveCapacity, figuresFromOutput } from './capacity.js';
import { buildDemand, DEFAULT_DEMAND, phaseWindows, soldOutSecond } from './demand.js';
import {
  defaultManifestPaths,
  readAdapterRateWindowSeconds,
  readServiceManifest,
  SERVICES,
  type ManifestPaths,
} from './manifests.js';
import { parseOptions, USAGE, type Options } from './options.js';
import { PLAN_BEGIN, spliceTables } from './plan-doc.js';
import { chartData, renderCharts } from './render.js';
import { replay, summarise } from './replay.js';
import { json, markdown, type Report, type ServiceReport } from './report.js';
import { benchRuns, loadAveragesFromOutput, runBenches } from './run-benches.js';
import {
  DEFAULT_TIMINGS,
  readySeconds,
  replayInput,
  serviceLoad,
  type Timings,
} from './services.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Paths given on the command line are relative to where it was typed (pnpm keeps that in
 * INIT_CWD; the script itself runs in this package's directory).
 */
const callerDir = process.env['INIT_CWD'] ?? process.cwd();
const fromCaller = (path: string) => (isAbsolute(path) ? path : resolve(callerDir, path));

async function main(options: Options): Promise<void> {
  const outDir = fromCaller(options.out);
  mkdirSync(outDir, { recursive: true });
  let benchText: string;
  let benchSource: string;
  if (options.benchOutput !== undefined) {
    const file = fromCaller(options.benchOutput);
    if (!existsSync(file)) throw new Error(`--bench-output: no such file ${file}`);
    benchText = readFileSync(file, 'utf8');
    benchSource = `the bench output in ${relative(repoRoot, file)}`;
  } else {
    benchText = await runBenches(
      repoRoot,
      benchRuns({ seconds: options.benchSeconds, rounds: options.benchRounds }),
      (line) => process.stdout.write(`${line}\n`),
    );
    writeFileSync(join(outDir, 'bench-output.txt'), benchText);
    benchSource = `benches run by the same command (output kept in ${relative(repoRoot, join(outDir, 'bench-output.txt'))})`;
  }
  const figures = figuresFromOutput(benchText);
  const capacity = deriveCapacity(figures, {
    vcpuPerBenchCore: options.vcpuPerCore,
    webPagesPerCore: options.webPagesPerCore,
  });
  const demandSettings = { ...DEFAULT_DEMAND, admissionRatePerSecond: options.admissionRate };
  const demand = buildDemand(demandSettings);
  const timings: Timings = { ...DEFAULT_TIMINGS, podStartSeconds: options.podStartSeconds };
  const paths = defaultManifestPaths(repoRoot);
  const adapterWindowSeconds = readAdapterRateWindowSeconds(
    join(repoRoot, 'infra/k8s/cluster/prometheus-adapter-values.yaml'),
  );
  const replayAll = (manifestPaths: ManifestPaths): ServiceReport[] => {
    const services: ServiceReport[] = [];
    for (const service of SERVICES) {
      const manifest = readServiceManifest(service, manifestPaths);
      if (manifest === null) continue;
      const load = serviceLoad(service, demand, capacity);
      const result = replay(replayInput(manifest, load, capacity, timings, adapterWindowSeconds));
      services.push({
        manifest,
        load,
        readySeconds: readySeconds(manifest, timings),
        result,
        summary: summarise(result, manifest.hpa.minReplicas),
      });
    }
    return services;
  };
  const services = replayAll(paths);
  const baseServices = replayAll({ ...paths, overlayFile: null });
  const phases = phaseWindows();
  const report: Report = {
    generatedAt: new Date().toISOString(),
    benchSource,
    loadAverages: loadAveragesFromOutput(benchText),
    figures,
    capacity,
    timings,
    adapterWindowSeconds,
    admissionRatePerSecond: options.admissionRate,
    openingSecond: phases.find((p) => p.name === 'sale_opening')?.startSeconds ?? 0,
    soldOutSecond: soldOutSecond(demandSettings),
    phases,
    services,
    baseServices,
  };
  const md = markdown(report);
  writeFileSync(join(outDir, 'summary.md'), md);
  const planFile = fromCaller(options.plan);
  const plan = existsSync(planFile) ? spliceTables(readFileSync(planFile, 'utf8'), md) : null;
  if (plan !== null) writeFileSync(planFile, plan);
  else
    process.stdout.write(`(no ${PLAN_BEGIN} marker in ${options.plan}: the plan is left alone)\n`);
  writeFileSync(join(outDir, 'summary.json'), json(report));
  const written = await renderCharts(
    [...services, ...baseServices].map((s) => chartData(report, s)),
    [
      ...services.map((s) => s.manifest.service),
      ...baseServices.map((s) => `${s.manifest.service}-base-floor`),
    ],
    { chromiumPath: options.chromium, outDir },
  );
  process.stdout.write(
    `\n${md}\nwrote ${[...written, 'summary.md', 'summary.json'].join(', ')} in ${outDir}\n`,
  );
}

try {
  const parsed = parseOptions(process.argv.slice(2), process.env);
  if (parsed.help) process.stdout.write(`${USAGE}\n`);
  else await main(parsed.options);
} catch (error) {
  process.stderr.write(`autoscaling: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
