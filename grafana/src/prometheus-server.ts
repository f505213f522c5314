// A real Prometheus (Debian's `prometheus` binary) for a run on this machine: the repository's scrape
// settings and rules, scraping the given targets, with the remote-write receiver on for k6.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { packageDir } from './paths.ts';

export interface PrometheusOptions {
  /** service label -> host:port whose /metrics is scraped. */
  targets: Record<string, string>;
  /** Listen address; 127.0.0.1:9090 unless given. */
  listen?: string;
  /** Where the TSDB lives; a fresh temporary folder unless given (kept after stop, for the renderer). */
  dataDir?: string;
  binary?: string;
}

export interface PrometheusServer {
  /** http://host:port */
  url: string;
  dataDir: string;
  configFile: string;
  stop(): Promise<void>;
}

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  relabel_configs?: unknown[];
  [key: string]: unknown;
}

/**
 * The committed prometheus.yml with its targets replaced: one static config per service carrying
 * the `service` label, instead of the fixed local ports it relabels from. Rule files resolve from
 * the package, so the config works from any folder.
 */
export function prometheusConfig(targets: Record<string, string>): string {
  const base = parse(readFileSync(join(packageDir, 'prometheus/prometheus.yml'), 'utf8')) as {
    rule_files: string[];
    scrape_configs: ScrapeConfig[];
    [key: string]: unknown;
  };
  const [job] = base.scrape_configs;
  if (!job) throw new Error('prometheus.yml has no scrape config');
  const scrape: ScrapeConfig = {
    ...job,
    static_configs: Object.entries(targets).map(([service, target]) => ({
      targets: [target],
      labels: { service },
    })),
  };
  delete scrape.relabel_configs;
  return stringify({
    ...base,
    rule_files: base.rule_files.map((file) => join(packageDir, 'prometheus', file)),
    scrape_configs: [scrape],
  });
}

/** Starts Prometheus and resolves once it answers /-/ready. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const listen = options.listen ?? '127.0.0.1:9090';
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'prometheus-'));
  mkdirSync(dataDir, { recursive: true });
  const configFile = join(dataDir, 'prometheus.yml');
  writeFileSync(configFile, prometheusConfig(options.targets));
  const child = spawn(
    options.binary ?? 'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dataDir, 'data')}`,
      `--web.listen-address=${listen}`,
      '--web.enable-remote-write-receiver',
      '--storage.tsdb.retention.time=7d',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) => {
      reject(
        new Error(
          `prometheus could not start (${err.message}); install it with \`apt-get install -y prometheus\``,
        ),
      );
    });
    void exited.then(() => {
      reject(new Error(`prometheus exited: ${output.trim()}`));
    });
  });
  const url = `http://${listen}`;
  const ready = (async () => {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const status = await fetch(`${url}/-/ready`)
        .then((r) => r.status)
        .catch(() => 0);
      if (status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`prometheus at ${url} was not ready within 30 s: ${output.trim()}`);
  })();
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await Promise.race([ready, failed]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  failed.catch(() => undefined);
  return { url, dataDir, configFile, stop };
}
